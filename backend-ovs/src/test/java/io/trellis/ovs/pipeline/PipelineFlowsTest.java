package io.trellis.ovs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import io.trellis.ovs.openflow.message.OfConstants;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's golden form: every flow of a node with three pods, as dump-flows lines. Read
 * this list to see what the agent programs.
 */
class PipelineFlowsTest {

    static final NodeNetwork NODE = NodeNetwork.of(1, "10.20.0.1", "0a:00:00:00:00:01", "10.20.0.0/24");
    static final LocalPod A = LocalPod.of("default/a", 11, "10.20.0.11", "0a:00:00:00:00:0b");
    static final LocalPod B = LocalPod.of("default/b", 12, "10.20.0.12", "0a:00:00:00:00:0c");
    static final LocalPod C = LocalPod.of("web/c", 13, "10.20.0.13", "0a:00:00:00:00:0d");

    // cookie = owner 0x7472 | kind (01 node, 02 pod) | stage code | pod ofport
    static final List<String> GOLDEN = List.of(
            // table 0 CLASSIFIER: source class into reg0[0..3] (1 gateway, 2 local pod); unknown port dropped
            "cookie=0x7472010100000000, table=0, priority=200,in_port=1 actions=set_field:0x1/0xf->reg0,goto_table:1",
            "cookie=0x747202010000000b, table=0, priority=200,in_port=11 actions=set_field:0x2/0xf->reg0,goto_table:1",
            "cookie=0x747202010000000c, table=0, priority=200,in_port=12 actions=set_field:0x2/0xf->reg0,goto_table:1",
            "cookie=0x747202010000000d, table=0, priority=200,in_port=13 actions=set_field:0x2/0xf->reg0,goto_table:1",
            "cookie=0x7472010100000000, table=0, priority=0 actions=drop",
            // table 1 SPOOF_GUARD: ARP (in_port, arp_spa, arp_sha) and IP (in_port, dl_src, nw_src); gateway exempt
            "cookie=0x747202020000000b, table=1, priority=200,arp,in_port=11,arp_spa=10.20.0.11,"
                    + "arp_sha=0a:00:00:00:00:0b actions=goto_table:2",
            "cookie=0x747202020000000c, table=1, priority=200,arp,in_port=12,arp_spa=10.20.0.12,"
                    + "arp_sha=0a:00:00:00:00:0c actions=goto_table:2",
            "cookie=0x747202020000000d, table=1, priority=200,arp,in_port=13,arp_spa=10.20.0.13,"
                    + "arp_sha=0a:00:00:00:00:0d actions=goto_table:2",
            "cookie=0x7472010200000000, table=1, priority=200,arp,reg0=0x1/0xf actions=goto_table:2",
            "cookie=0x747202020000000b, table=1, priority=200,ip,in_port=11,dl_src=0a:00:00:00:00:0b,"
                    + "nw_src=10.20.0.11 actions=goto_table:3",
            "cookie=0x747202020000000c, table=1, priority=200,ip,in_port=12,dl_src=0a:00:00:00:00:0c,"
                    + "nw_src=10.20.0.12 actions=goto_table:3",
            "cookie=0x747202020000000d, table=1, priority=200,ip,in_port=13,dl_src=0a:00:00:00:00:0d,"
                    + "nw_src=10.20.0.13 actions=goto_table:3",
            "cookie=0x7472010200000000, table=1, priority=200,ip,reg0=0x1/0xf actions=goto_table:3",
            "cookie=0x7472010200000000, table=1, priority=0 actions=drop",
            // table 2 ARP_FORWARDING: each ARP to the owner of its target IP
            "cookie=0x7472010300000000, table=2, priority=200,arp,arp_tpa=10.20.0.1 actions=output:1",
            "cookie=0x747202030000000b, table=2, priority=200,arp,arp_tpa=10.20.0.11 actions=output:11",
            "cookie=0x747202030000000c, table=2, priority=200,arp,arp_tpa=10.20.0.12 actions=output:12",
            "cookie=0x747202030000000d, table=2, priority=200,arp,arp_tpa=10.20.0.13 actions=output:13",
            "cookie=0x7472010300000000, table=2, priority=0 actions=drop",
            // table 3 CONNTRACK
            "cookie=0x7472010400000000, table=3, priority=200,ip actions=ct(table=4,zone=65520)",
            "cookie=0x7472010400000000, table=3, priority=0 actions=drop",
            // table 4 CONNTRACK_STATE
            "cookie=0x7472010500000000, table=4, priority=200,ct_state=+inv+trk,ip actions=drop",
            "cookie=0x7472010500000000, table=4, priority=0 actions=goto_table:5",
            // table 5 L3_FORWARDING
            "cookie=0x7472010600000000, table=5, priority=200,ip,nw_dst=10.20.0.1 "
                    + "actions=set_field:0a:00:00:00:00:01->eth_dst,goto_table:6",
            "cookie=0x747202060000000b, table=5, priority=200,ip,nw_dst=10.20.0.11 actions=set_field:"
                    + "0a:00:00:00:00:01->eth_src,set_field:0a:00:00:00:00:0b->eth_dst,goto_table:6",
            "cookie=0x747202060000000c, table=5, priority=200,ip,nw_dst=10.20.0.12 actions=set_field:"
                    + "0a:00:00:00:00:01->eth_src,set_field:0a:00:00:00:00:0c->eth_dst,goto_table:6",
            "cookie=0x747202060000000d, table=5, priority=200,ip,nw_dst=10.20.0.13 actions=set_field:"
                    + "0a:00:00:00:00:01->eth_src,set_field:0a:00:00:00:00:0d->eth_dst,goto_table:6",
            "cookie=0x7472010600000000, table=5, priority=190,ip,nw_dst=10.20.0.0/24 actions=drop",
            "cookie=0x7472010600000000, table=5, priority=180,ip,reg0=0x2/0xf "
                    + "actions=set_field:0a:00:00:00:00:01->eth_dst,goto_table:6",
            "cookie=0x7472010600000000, table=5, priority=0 actions=drop",
            // table 6 CONNTRACK_COMMIT
            "cookie=0x7472010700000000, table=6, priority=200,ct_state=+new+trk,ip "
                    + "actions=ct(commit,zone=65520),goto_table:7",
            "cookie=0x7472010700000000, table=6, priority=0 actions=goto_table:7",
            // table 7 L2_OUTPUT
            "cookie=0x7472010800000000, table=7, priority=200,dl_dst=0a:00:00:00:00:01 actions=output:1",
            "cookie=0x747202080000000b, table=7, priority=200,dl_dst=0a:00:00:00:00:0b actions=output:11",
            "cookie=0x747202080000000c, table=7, priority=200,dl_dst=0a:00:00:00:00:0c actions=output:12",
            "cookie=0x747202080000000d, table=7, priority=200,dl_dst=0a:00:00:00:00:0d actions=output:13",
            "cookie=0x7472010800000000, table=7, priority=0 actions=drop");

    private final PipelineFlows flows = PipelineFlows.defaults();

    static List<String> lines(List<FlowMod> mods) {
        return mods.stream().map(FlowLine::of).sorted().map(FlowLine::toString).toList();
    }

    @Test
    void nodeWithThreePodsHasTheGoldenFlows() {
        assertThat(lines(flows.all(NODE, List.of(A, B, C)))).containsExactlyElementsOf(GOLDEN);
    }

    @Test
    void everyFlowIsAnAddWithAnOwnedCookie() {
        List<FlowMod> all = flows.all(NODE, List.of(A, B, C));
        assertThat(all).allSatisfy(f -> {
            assertThat(f.command()).isEqualTo(FlowModCommand.ADD);
            assertThat(flows.cookies().owns(f.cookie())).as("cookie %x", f.cookie()).isTrue();
        });
    }

    @Test
    void allIsNodeFlowsPlusEachPodsFlows() {
        List<FlowMod> expected = new ArrayList<>(flows.nodeFlows(NODE));
        expected.addAll(flows.podFlows(NODE, A));
        expected.addAll(flows.podFlows(NODE, B));
        expected.addAll(flows.podFlows(NODE, C));
        assertThat(flows.all(NODE, List.of(A, B, C))).containsExactlyElementsOf(expected);
        assertThat(flows.nodeFlows(NODE)).allSatisfy(f -> assertThat(f.cookie() >>> 40 & 0xff).isEqualTo(1));
    }

    @Test
    void podFlowsCarryThePodsCookieSoOneDeleteRemovesThemAll() {
        List<FlowMod> podFlows = flows.podFlows(NODE, B);
        assertThat(podFlows).hasSize(6);
        CookieScheme cookies = flows.cookies();
        assertThat(podFlows).allSatisfy(f ->
                assertThat(f.cookie() & cookies.podMask()).isEqualTo(cookies.podValue(B.ofport())));
        for (FlowMod f : flows.all(NODE, List.of(A, C))) {
            assertThat(f.cookie() & cookies.podMask()).isNotEqualTo(cookies.podValue(B.ofport()));
        }
        FlowMod delete = flows.deletePod(B.ofport());
        assertThat(delete.command()).isEqualTo(FlowModCommand.DELETE);
        assertThat(delete.tableId()).isEqualTo(OfConstants.TABLE_ALL);
        assertThat(delete.cookie()).isEqualTo(cookies.podValue(12));
        assertThat(delete.cookieMask()).isEqualTo(cookies.podMask());
        FlowMod deleteAll = flows.deleteOwned();
        assertThat(deleteAll.cookie()).isEqualTo(0x7472L << 48);
        assertThat(deleteAll.cookieMask()).isEqualTo(0xffffL << 48);
    }

    @Test
    void zoneAndOwnerAreConfigurable() {
        PipelineFlows custom = new PipelineFlows(Pipeline.localPodNetworking(), new CookieScheme(0xbeef), 7);
        List<String> lines = lines(custom.all(NODE, List.of(A)));
        assertThat(lines).contains("cookie=0xbeef010400000000, table=3, priority=200,ip actions=ct(table=4,zone=7)");
        assertThat(lines).allSatisfy(l -> assertThat(l).startsWith("cookie=0xbeef0"));
    }

    @Test
    void flowsOfTheSameModelAreEqual() {
        assertThat(flows.all(NODE, List.of(A, B, C))).isEqualTo(PipelineFlows.defaults().all(NODE, List.of(A, B, C)));
    }

    @Test
    void rejectsInconsistentPods() {
        assertThatThrownBy(() -> flows.podFlows(NODE, LocalPod.of("x/out", 20, "10.21.0.5", "0a:00:00:00:00:20")))
                .hasMessage("pod x/out: IP 10.21.0.5 is outside the pod CIDR 10.20.0.0/24");
        assertThatThrownBy(() -> flows.podFlows(NODE, LocalPod.of("x/gw", 20, "10.20.0.1", "0a:00:00:00:00:20")))
                .hasMessageContaining("10.20.0.1 is the gateway's");
        assertThatThrownBy(() -> flows.podFlows(NODE, LocalPod.of("x/port", 1, "10.20.0.20", "0a:00:00:00:00:20")))
                .hasMessageContaining("ofport 1 is the gateway's");
        assertThatThrownBy(() -> flows.podFlows(NODE, LocalPod.of("x/mac", 20, "10.20.0.20", "0a:00:00:00:00:01")))
                .hasMessageContaining("MAC 0a:00:00:00:00:01 is the gateway's");
        assertThatThrownBy(() -> flows.all(NODE, List.of(A, LocalPod.of("x/dup", 11, "10.20.0.20", "0a:00:00:00:00:20"))))
                .hasMessage("pods default/a and x/dup share ofport 11");
        assertThatThrownBy(() -> flows.all(NODE, List.of(A, LocalPod.of("x/dup", 20, "10.20.0.11", "0a:00:00:00:00:20"))))
                .hasMessage("pods default/a and x/dup share IP 10.20.0.11");
        assertThatThrownBy(() -> flows.all(NODE, List.of(A, LocalPod.of("x/dup", 20, "10.20.0.20", "0a:00:00:00:00:0b"))))
                .hasMessage("pods default/a and x/dup share MAC 0a:00:00:00:00:0b");
    }

    @Test
    void requiresEveryStageItWritesTo() {
        Pipeline partial = Pipeline.of(PipelineStage.CLASSIFIER, PipelineStage.SPOOF_GUARD, PipelineStage.L2_OUTPUT);
        assertThatThrownBy(() -> new PipelineFlows(partial, CookieScheme.DEFAULT, 1))
                .hasMessageContaining("lacks stage ARP_FORWARDING");
        assertThatThrownBy(() -> new PipelineFlows(Pipeline.localPodNetworking(), CookieScheme.DEFAULT, 65536))
                .hasMessageContaining("conntrack zone: 65536");
    }
}
