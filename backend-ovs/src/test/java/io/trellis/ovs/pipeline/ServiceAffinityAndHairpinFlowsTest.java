package io.trellis.ovs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.message.CtFlush;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.GroupMod;
import io.trellis.ovs.openflow.message.OfMessage;
import io.trellis.ovs.openflow.message.OfMessageCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Golden form of ClientIP session affinity (learn in the buckets, the SERVICE_AFFINITY and
 * SERVICE_ENDPOINT lookups), of hairpin (pod flows and the hairpin zone) and of the reject
 * packet-in; every message also round-trips through the codecs and is decoded by
 * {@code ovs-ofctl ofp-print}.
 */
class ServiceAffinityAndHairpinFlowsTest {

    private static final PipelineFlows PIPELINE = new PipelineFlows(Pipeline.withServices(), CookieScheme.DEFAULT,
            PipelineFlows.DEFAULT_CT_ZONE);
    private final ServiceFlows flows = ServiceFlows.of(PIPELINE);

    private static final ServiceLoadBalancer STICKY = new ServiceLoadBalancer(
            ServiceFrontend.of("10.96.0.10", ServiceFrontend.TCP, 80), 4,
            List.of(ServiceBackend.of("10.20.0.12", 8080), ServiceBackend.of("10.20.0.11", 8080)), 30);

    @Test
    void affinityTablesComeAfterTheMainPathWhichKeepsItsNumbers() {
        Pipeline p = Pipeline.withServices();
        assertThat(p.table(PipelineStage.SERVICE_LB)).isEqualTo(5);
        assertThat(p.table(PipelineStage.L2_OUTPUT)).isEqualTo(8);
        assertThat(p.table(PipelineStage.SERVICE_AFFINITY)).isEqualTo(9);
        assertThat(p.table(PipelineStage.SERVICE_ENDPOINT)).isEqualTo(10);
        assertThat(PipelineFlowsTest.lines(PIPELINE.nodeFlows(PipelineFlowsTest.NODE))).contains(
                "cookie=0x7472010a00000000, table=9, priority=0 actions=drop",
                "cookie=0x7472010b00000000, table=10, priority=0 actions=drop");
    }

    private static final String LEARN = "learn(table=9,idle_timeout=30,priority=200,cookie=0x7472060a00000007,"
            + "eth_type=0x800,NXM_NX_REG5[],NXM_OF_IP_SRC[],load:NXM_NX_REG6[]->NXM_NX_REG6[],"
            + "load:NXM_NX_REG7[0..15]->NXM_NX_REG7[0..15])";

    @Test
    void affinityFrontendGoldenLines() {
        assertThat(PipelineFlowsTest.lines(flows.serviceFlows(7, List.of(STICKY)))).containsExactly(
                // the frontend names itself in reg5 and looks up the client's affinity, then the endpoint
                "cookie=0x7472050900000007, table=5, priority=200,ct_state=+new+trk,tcp,nw_dst=10.96.0.10,tp_dst=80"
                        + " actions=set_field:0x4->reg5,resubmit(,9),resubmit(,10)",
                "cookie=0x7472050900000007, table=5, priority=190,ip,nw_dst=10.96.0.10 actions=drop",
                // the endpoint the registers name (0x0a14000b = 10.20.0.11, 0x1f90 = 8080), while it is a
                // backend: (re)learn the client's affinity, DNAT
                "cookie=0x7472050900000007, table=10, priority=200,tcp,reg5=0x4,reg6=0xa14000b,reg7=0x1f90"
                        + " actions=" + LEARN + ",ct(commit,table=6,zone=65520,nat(dst=10.20.0.11:8080))",
                "cookie=0x7472050900000007, table=10, priority=200,tcp,reg5=0x4,reg6=0xa14000c,reg7=0x1f90"
                        + " actions=" + LEARN + ",ct(commit,table=6,zone=65520,nat(dst=10.20.0.12:8080))",
                // no affinity (yet, or its endpoint left): the group picks
                "cookie=0x7472050900000007, table=10, priority=190,reg5=0x4 actions=group:4");
    }

    @Test
    void affinityBucketsNameTheEndpointAndResubmitAsOvsReadsThem() {
        GroupMod group = flows.group(STICKY);
        assertThat(roundTrip(group)).isEqualTo(group);
        assertThat(ofpPrint(group)).contains("ADD_OR_MOD group_id=4,type=select,selection_method=dp_hash,"
                + "bucket=bucket_id:0,weight:100,actions=set_field:0xa14000b->reg6,set_field:0x1f90->reg7,resubmit(,10),"
                + "bucket=bucket_id:1,weight:100,actions=set_field:0xa14000c->reg6,set_field:0x1f90->reg7,resubmit(,10)");
        List<FlowMod> mods = flows.serviceFlows(7, List.of(STICKY));
        for (FlowMod f : mods) {
            assertThat(roundTrip(f)).isEqualTo(f);
            assertThat(ofpPrint(f)).doesNotContain("decode error");
        }
        FlowMod endpoint = mods.stream().filter(f -> f.tableId() == 10 && f.priority() == 200).findFirst().orElseThrow();
        assertThat(ofpPrint(endpoint)).contains("actions=" + LEARN);
        Action.Learn learn = (Action.Learn) ((io.trellis.ovs.openflow.action.Instruction.ApplyActions)
                endpoint.instructions().get(0)).actions().get(0);
        assertThat(learn.idleTimeout()).isEqualTo(30);
        assertThat(learn.hardTimeout()).isZero();
        assertThat(learn.cookie()).isEqualTo(CookieScheme.DEFAULT.serviceAffinity(7));
        // Longer than the idle timeout can hold: kept for 65535 s.
        ServiceLoadBalancer day = new ServiceLoadBalancer(STICKY.frontend(), 4, STICKY.backends(), 86400);
        assertThat(PipelineFlowsTest.lines(flows.serviceFlows(7, List.of(day))).get(2)).contains("idle_timeout=65535,");
    }

    @Test
    void learnedFlowsAreDeletedApartFromTheServiceFlows() {
        CookieScheme cookies = CookieScheme.DEFAULT;
        long learned = cookies.serviceAffinity(7);
        FlowMod serviceOnly = flows.deleteServiceFlows(7);
        FlowMod affinities = flows.deleteServiceAffinities(7);
        FlowMod allAffinities = flows.deleteAllServiceAffinities();
        assertThat(learned & serviceOnly.cookieMask()).isNotEqualTo(serviceOnly.cookie());
        assertThat(learned & affinities.cookieMask()).isEqualTo(affinities.cookie());
        assertThat(cookies.serviceAffinity(8) & affinities.cookieMask()).isNotEqualTo(affinities.cookie());
        assertThat(learned & allAffinities.cookieMask()).isEqualTo(allAffinities.cookie());
        assertThat(cookies.owns(learned)).isTrue();
        // A full install removes them with everything else the agent owns, the overlay-keeping one too.
        assertThat(PIPELINE.deleteOwnedExceptOverlay()).anySatisfy(d -> assertThat(learned & d.cookieMask())
                .isEqualTo(d.cookie()));
    }

    @Test
    void hairpinGoldenLines() {
        List<String> node = PipelineFlowsTest.lines(PIPELINE.nodeFlows(PipelineFlowsTest.NODE));
        assertThat(PIPELINE.hairpinCtZone()).isEqualTo(65521);
        assertThat(node).contains(
                // a pod's answer to the hairpin source: undo the SNAT (hairpin zone), then CONNTRACK again
                "cookie=0x7472010400000000, table=3, priority=210,ct_state=-trk,ip,nw_dst=169.254.0.252"
                        + " actions=ct(table=3,zone=65521,nat)",
                // committed in the hairpin zone already
                "cookie=0x7472010700000000, table=7, priority=210,ct_zone=65521,ip actions=goto_table:8");
        List<String> pod = PipelineFlowsTest.lines(PIPELINE.podFlows(PipelineFlowsTest.NODE, PipelineFlowsTest.A));
        assertThat(pod).contains(
                "cookie=0x747202060000000b, table=6, priority=210,ct_zone=65520,ip,nw_src=10.20.0.11,nw_dst=10.20.0.11"
                        + " actions=ct(commit,table=6,zone=65521,nat(src=169.254.0.252))",
                "cookie=0x747202080000000b, table=8, priority=210,in_port=11,dl_dst=0a:00:00:00:00:0b actions=IN_PORT");
        for (FlowMod f : PIPELINE.podFlows(PipelineFlowsTest.NODE, PipelineFlowsTest.A)) {
            assertThat(roundTrip(f)).isEqualTo(f);
            assertThat(ofpPrint(f)).doesNotContain("decode error");
        }
        // Without Services there is no hairpin: nothing changes for plain pod networking.
        assertThat(PipelineFlowsTest.lines(PipelineFlows.defaults().podFlows(PipelineFlowsTest.NODE, PipelineFlowsTest.A)))
                .noneMatch(l -> l.contains("priority=210"));
    }

    @Test
    void rejectPacketInAsOvsReadsIt() {
        ServiceLoadBalancer empty = new ServiceLoadBalancer(ServiceFrontend.of("10.96.0.10", ServiceFrontend.UDP, 53),
                2, List.of());
        FlowMod reject = flows.serviceFlows(7, List.of(empty)).get(0);
        assertThat(roundTrip(reject)).isEqualTo(reject);
        assertThat(ofpPrint(reject)).contains("priority=200,ct_state=+new+trk,udp,nw_dst=10.96.0.10,tp_dst=53 "
                + "cookie:0x7472050900000007 actions=controller(max_len=128,userdata=74.72.05.01)");
        assertThat(flows.isReject(new byte[] {0x74, 0x72, 0x05, 0x01})).isTrue();
        assertThat(flows.isReject(new byte[] {0x74, 0x72, 0x05, 0x02})).isFalse();
        assertThat(ServiceFlows.of(new PipelineFlows(Pipeline.withServices(), new CookieScheme(0x1234), 1))
                .rejectUserdata()).containsExactly(0x12, 0x34, 0x05, 0x01);
    }

    @Test
    void invalidTcpResetsGoOnAndToTheControllerWhichFlushesTheirEntryByReplyTuple() throws Exception {
        List<FlowMod> node = PIPELINE.nodeFlows(PipelineFlowsTest.NODE);
        assertThat(PipelineFlowsTest.lines(node)).contains(
                // above the drop of invalid packets: an invalid reset continues, a copy goes to the agent
                "cookie=0x7472010500000000, table=4, priority=205,ct_state=+inv+trk,tcp,tcp_flags=+rst"
                        + " actions=controller(max_len=96,userdata=74.72.05.02),goto_table:5",
                "cookie=0x7472010500000000, table=4, priority=200,ct_state=+inv+trk,ip actions=drop");
        FlowMod reset = node.stream().filter(f -> f.priority() == ServiceFlows.PRIORITY_INVALID_RESET).findFirst()
                .orElseThrow();
        assertThat(roundTrip(reset)).isEqualTo(reset);
        assertThat(ofpPrint(reset)).contains("ADD table:4 priority=205,ct_state=+inv+trk,tcp,tcp_flags=+rst"
                + " cookie:0x7472010500000000 actions=controller(max_len=96,userdata=74.72.05.02),goto_table:5");
        assertThat(flows.isInvalidReset(new byte[] {0x74, 0x72, 0x05, 0x02})).isTrue();
        assertThat(flows.isInvalidReset(flows.rejectUserdata())).isFalse();
        CtFlush flush = flows.flushTcpByReply(InetAddress.getByName("10.244.0.2"), 80,
                InetAddress.getByName("10.244.1.3"), 41003);
        // OVS prints the original tuple (any, TCP), then the reply tuple.
        assertThat(ofpPrint(flush)).contains("zone=65520 'ct_nw_src=::,ct_nw_dst=::,ct_tp_src=0,ct_tp_dst=0,"
                + "ct_nw_proto=6' 'ct_nw_src=10.244.0.2,ct_nw_dst=10.244.1.3,ct_tp_src=80,ct_tp_dst=41003'");
        // Without Services invalid packets are all dropped, as before.
        assertThat(PipelineFlowsTest.lines(PipelineFlows.defaults().nodeFlows(PipelineFlowsTest.NODE)))
                .noneMatch(l -> l.contains("tcp_flags=+rst"));
    }

    private static OfMessage roundTrip(OfMessage m) {
        ByteBuf buf = Unpooled.buffer();
        try {
            OfMessageCodec.encode(m, OfVersion.OF15, buf);
            return OfMessageCodec.decode(buf);
        } finally {
            buf.release();
        }
    }

    private static String ofpPrint(OfMessage m) {
        ByteBuf buf = Unpooled.buffer();
        try {
            OfMessageCodec.encode(m, OfVersion.OF15, buf);
            Process p = new ProcessBuilder("ovs-ofctl", "ofp-print", ByteBufUtil.hexDump(buf)).redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("ovs-ofctl ofp-print finished").isTrue();
            assertThat(p.exitValue()).as("ovs-ofctl ofp-print: %s", out).isZero();
            assertThat(out).doesNotContain("decode error");
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
