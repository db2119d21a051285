package io.trellis.ovs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import io.trellis.ovs.openflow.message.GroupMod;
import io.trellis.ovs.openflow.message.GroupModCommand;
import io.trellis.ovs.openflow.message.OfConstants;
import io.trellis.ovs.openflow.message.OfMessage;
import io.trellis.ovs.openflow.message.OfMessageCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Service load balancing's golden form: the pipeline variant with SERVICE_LB, and the flows and
 * groups of a Service with a TCP and a UDP port, as dump-flows / ovs-ofctl lines. The group-mods
 * are also decoded by OVS itself ({@code ovs-ofctl ofp-print}).
 */
class ServiceFlowsTest {

    private static final PipelineFlows PIPELINE = new PipelineFlows(Pipeline.withServices(), CookieScheme.DEFAULT,
            PipelineFlows.DEFAULT_CT_ZONE);
    private final ServiceFlows flows = ServiceFlows.of(PIPELINE);

    private static final ServiceLoadBalancer WEB = new ServiceLoadBalancer(
            ServiceFrontend.of("10.96.0.10", ServiceFrontend.TCP, 80), 1,
            // given unsorted: buckets come out by address
            List.of(ServiceBackend.of("10.20.0.13", 8080), ServiceBackend.of("10.20.0.11", 8080),
                    ServiceBackend.of("10.20.0.12", 8080)));
    private static final ServiceLoadBalancer DNS = new ServiceLoadBalancer(
            ServiceFrontend.of("10.96.0.10", ServiceFrontend.UDP, 53), 2,
            List.of(ServiceBackend.of("10.20.0.11", 5353)));
    private static final ServiceLoadBalancer EMPTY = new ServiceLoadBalancer(
            ServiceFrontend.of("10.96.0.10", ServiceFrontend.TCP, 443), 3, List.of());

    @Test
    void theServicesVariantInsertsServiceLbAndNatsInTheConntrackLookup() {
        Pipeline p = Pipeline.withServices();
        assertThat(p.table(PipelineStage.SERVICE_LB)).isEqualTo(5);
        assertThat(p.table(PipelineStage.L3_FORWARDING)).isEqualTo(6);
        assertThat(p.table(PipelineStage.L2_OUTPUT)).isEqualTo(8);
        assertThat(Pipeline.localPodNetworking().has(PipelineStage.SERVICE_LB)).isFalse();

        List<String> node = PipelineFlowsTest.lines(PIPELINE.nodeFlows(PipelineFlowsTest.NODE));
        assertThat(node).contains(
                "cookie=0x7472010400000000, table=3, priority=200,ip actions=ct(table=4,zone=65520,nat)",
                "cookie=0x7472010500000000, table=4, priority=0 actions=goto_table:5",
                "cookie=0x7472010900000000, table=5, priority=0 actions=goto_table:6",
                "cookie=0x7472010600000000, table=6, priority=0 actions=drop");
        // Without services, the lookup does no NAT and there is no SERVICE_LB table.
        List<String> plain = PipelineFlowsTest.lines(PipelineFlows.defaults().nodeFlows(PipelineFlowsTest.NODE));
        assertThat(plain).contains("cookie=0x7472010400000000, table=3, priority=200,ip actions=ct(table=4,zone=65520)")
                .noneMatch(l -> l.contains("nat") || l.startsWith("cookie=0x74720109"));
    }

    @Test
    void serviceFlowsGoldenLines() {
        assertThat(PipelineFlowsTest.lines(flows.serviceFlows(7, List.of(WEB, DNS, EMPTY)))).containsExactly(
                // new connections to a frontend go to its group; a frontend without endpoints sends
                // them to the controller to be rejected (userdata: owner 0x7472, kind 5, 1 = reject)
                "cookie=0x7472050900000007, table=5, priority=200,ct_state=+new+trk,tcp,nw_dst=10.96.0.10,tp_dst=443"
                        + " actions=controller(max_len=128,userdata=74.72.05.01)",
                "cookie=0x7472050900000007, table=5, priority=200,ct_state=+new+trk,tcp,nw_dst=10.96.0.10,tp_dst=80"
                        + " actions=group:1",
                "cookie=0x7472050900000007, table=5, priority=200,ct_state=+new+trk,udp,nw_dst=10.96.0.10,tp_dst=53"
                        + " actions=group:2",
                // any other port or protocol of the cluster IP
                "cookie=0x7472050900000007, table=5, priority=190,ip,nw_dst=10.96.0.10 actions=drop");
    }

    @Test
    void groupsAsOvsReadsThem() {
        GroupMod web = flows.group(WEB);
        assertThat(web.command()).isEqualTo(GroupModCommand.ADD_OR_MOD);
        assertThat(ofpPrint(web, OfVersion.OF15)).contains("ADD_OR_MOD group_id=1,type=select,"
                + "selection_method=dp_hash,bucket=bucket_id:0,weight:100,actions=ct(commit,table=6,zone=65520,nat(dst=10.20.0.11:8080)),"
                + "bucket=bucket_id:1,weight:100,actions=ct(commit,table=6,zone=65520,nat(dst=10.20.0.12:8080)),"
                + "bucket=bucket_id:2,weight:100,actions=ct(commit,table=6,zone=65520,nat(dst=10.20.0.13:8080))");
        assertThat(ofpPrint(flows.group(DNS), OfVersion.OF15)).contains("ADD_OR_MOD group_id=2,type=select,"
                + "selection_method=dp_hash,bucket=bucket_id:0,weight:100,actions=ct(commit,table=6,zone=65520,nat(dst=10.20.0.11:5353))");
        assertThat(ofpPrint(flows.group(EMPTY), OfVersion.OF15)).contains("ADD_OR_MOD group_id=3,type=select,selection_method=dp_hash");
        assertThat(flows.group(EMPTY).buckets()).isEmpty();
        assertThat(ofpPrint(flows.deleteGroup(2), OfVersion.OF15)).contains("DEL group_id=2");
    }

    @Test
    void flowModsAsOvsReadsThem() {
        List<FlowMod> mods = flows.serviceFlows(7, List.of(WEB, DNS));
        List<String> printed = new ArrayList<>();
        for (FlowMod m : mods) {
            printed.add(ofpPrint(m, OfVersion.OF15));
        }
        assertThat(printed.get(0)).contains("ADD table:5 priority=200,ct_state=+new+trk,tcp,nw_dst=10.96.0.10,tp_dst=80 "
                + "cookie:0x7472050900000007 actions=group:1");
        assertThat(printed.get(1)).contains("ct_state=+new+trk,udp,nw_dst=10.96.0.10,tp_dst=53 cookie:0x7472050900000007 actions=group:2");
        assertThat(ofpPrint(PIPELINE.nodeFlows(PipelineFlowsTest.NODE).stream()
                .filter(f -> f.tableId() == 3 && f.priority() == 200).findFirst().orElseThrow(), OfVersion.OF15))
                .contains("priority=200,ip cookie:0x7472010400000000 actions=ct(table=4,zone=65520,nat)");
    }

    @Test
    void deletesSelectOneServiceOrAll() {
        CookieScheme cookies = flows.cookies();
        FlowMod one = flows.deleteServiceFlows(7);
        assertThat(one.command()).isEqualTo(FlowModCommand.DELETE);
        assertThat(one.tableId()).isEqualTo(OfConstants.TABLE_ALL);
        for (FlowMod f : flows.serviceFlows(7, List.of(WEB, DNS))) {
            assertThat(f.cookie() & one.cookieMask()).isEqualTo(one.cookie());
        }
        for (FlowMod f : flows.serviceFlows(8, List.of(WEB))) {
            assertThat(f.cookie() & one.cookieMask()).isNotEqualTo(one.cookie());
        }
        FlowMod all = flows.deleteAllServiceFlows();
        for (FlowMod f : flows.serviceFlows(8, List.of(WEB))) {
            assertThat(f.cookie() & all.cookieMask()).isEqualTo(all.cookie());
        }
        for (FlowMod f : PIPELINE.all(PipelineFlowsTest.NODE, List.of(PipelineFlowsTest.A))) {
            assertThat(f.cookie() & all.cookieMask()).as("pipeline flow %s", FlowLine.of(f)).isNotEqualTo(all.cookie());
            assertThat(f.cookie() & one.cookieMask()).isNotEqualTo(one.cookie());
        }
        assertThat(cookies.owns(all.cookie())).isTrue();
    }

    @Test
    void rejectsWhatItCannotProgram() {
        assertThatThrownBy(() -> new ServiceFlows(Pipeline.localPodNetworking(), CookieScheme.DEFAULT, 1))
                .hasMessageContaining("lacks stage SERVICE_LB");
        assertThatThrownBy(() -> ServiceFrontend.of("10.96.0.1", 132, 80))
                .hasMessageContaining("protocol 132 is not supported");
        assertThatThrownBy(() -> ServiceFrontend.of("10.96.0.1", ServiceFrontend.TCP, 0))
                .hasMessageContaining("port 0 out of range");
        assertThatThrownBy(() -> new ServiceLoadBalancer(WEB.frontend(), 0, List.of()))
                .hasMessageContaining("group id 0");
        assertThatThrownBy(() -> new ServiceLoadBalancer(WEB.frontend(), 1,
                List.of(ServiceBackend.of("10.20.0.11", 80), ServiceBackend.of("10.20.0.11", 80))))
                .hasMessageContaining("backends repeat");
        assertThatThrownBy(() -> flows.serviceFlows(0, List.of(WEB))).hasMessageContaining("service id: 0");
    }

    private static String ofpPrint(OfMessage m, OfVersion v) {
        ByteBuf buf = Unpooled.buffer();
        try {
            OfMessageCodec.encode(m, v, buf);
            Process p = new ProcessBuilder("ovs-ofctl", "ofp-print", ByteBufUtil.hexDump(buf)).redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("ovs-ofctl ofp-print finished").isTrue();
            assertThat(p.exitValue()).as("ovs-ofctl ofp-print: %s", out).isZero();
            assertThat(out).doesNotContain("***decode error");
            return out.replaceAll("\\s+", " ");
        } catch (IOException e) {
            throw new AssertionError("cannot run ovs-ofctl (is openvswitch-switch installed?): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            buf.release();
        }
    }
}
