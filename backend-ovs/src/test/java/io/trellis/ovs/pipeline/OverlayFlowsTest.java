package io.trellis.ovs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import io.trellis.ovs.openflow.message.OfConstants;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The overlay's golden form: tunnel-port flows and one remote node's flow, as dump-flows lines. */
class OverlayFlowsTest {

    static final NodeNetwork NODE = PipelineFlowsTest.NODE;
    static final RemoteNode NODE_2 = RemoteNode.of("node-2", "10.251.0.2", "10.20.1.0/24");
    static final OverlayFlows OVERLAY = OverlayFlows.of(PipelineFlows.defaults());

    @Test
    void tunnelFlowsClassifyExemptArpDropAndOutputTheVirtualMac() {
        // cookie kind 03 = tunnel
        assertThat(lines(OVERLAY.tunnelFlows(2))).containsExactly(
                "cookie=0x7472030100000000, table=0, priority=200,in_port=2 actions=set_field:0x3/0xf->reg0,goto_table:1",
                "cookie=0x7472030200000000, table=1, priority=200,ip,reg0=0x3/0xf actions=goto_table:3",
                "cookie=0x7472030200000000, table=1, priority=200,arp,reg0=0x3/0xf actions=drop",
                "cookie=0x7472030800000000, table=7, priority=200,dl_dst=aa:bb:cc:dd:ee:ff actions=output:2");
    }

    @Test
    void remoteNodeFlowSetsMacsTunDstAndDecrementsTtl() {
        // cookie kind 04 = remote node, object = 10.251.0.2 = 0x0afb0002
        assertThat(lines(OVERLAY.remoteNodeFlows(NODE, NODE_2))).containsExactly(
                "cookie=0x747204060afb0002, table=5, priority=190,ip,nw_dst=10.20.1.0/24 actions="
                        + "set_field:0a:00:00:00:00:01->eth_src,set_field:aa:bb:cc:dd:ee:ff->eth_dst,"
                        + "set_field:10.251.0.2->tun_dst,dec_ttl,goto_table:6");
    }

    @Test
    void remoteNodeFlowsBeatTheLocalPodDefaultRouteButNotLocalPods() {
        FlowMod remote = OVERLAY.remoteNodeFlows(NODE, NODE_2).get(0);
        assertThat(remote.priority()).isGreaterThan(PipelineFlows.PRIORITY_LOW).isLessThan(PipelineFlows.PRIORITY_HIGH);
    }

    @Test
    void deletesSelectOneNodeOrAllNodesOrTheTunnel() {
        CookieScheme c = CookieScheme.DEFAULT;
        FlowMod one = OVERLAY.deleteRemoteNode(NODE_2);
        assertThat(one.command()).isEqualTo(FlowModCommand.DELETE);
        assertThat(one.tableId()).isEqualTo(OfConstants.TABLE_ALL);
        long cookie = OVERLAY.remoteNodeFlows(NODE, NODE_2).get(0).cookie();
        assertThat(cookie & one.cookieMask()).isEqualTo(one.cookie());
        long other = c.remoteNode(PipelineStage.L3_FORWARDING, Ipv4Subnet.parseAddress("10.251.0.3"));
        assertThat(other & one.cookieMask()).isNotEqualTo(one.cookie());

        FlowMod all = OVERLAY.deleteAllRemoteNodes();
        assertThat(cookie & all.cookieMask()).isEqualTo(all.cookie());
        assertThat(other & all.cookieMask()).isEqualTo(all.cookie());
        long tunnelCookie = OVERLAY.tunnelFlows(2).get(0).cookie();
        assertThat(tunnelCookie & all.cookieMask()).isNotEqualTo(all.cookie());
        FlowMod tunnel = OVERLAY.deleteTunnel();
        assertThat(tunnelCookie & tunnel.cookieMask()).isEqualTo(tunnel.cookie());
        assertThat(cookie & tunnel.cookieMask()).isNotEqualTo(tunnel.cookie());
        // pod and node flows are never hit by overlay deletes
        for (FlowMod f : PipelineFlows.defaults().all(NODE, List.of(PipelineFlowsTest.A))) {
            assertThat(f.cookie() & all.cookieMask()).isNotEqualTo(all.cookie());
            assertThat(f.cookie() & tunnel.cookieMask()).isNotEqualTo(tunnel.cookie());
        }
    }

    @Test
    void overlappingPodCidrIsRefused() {
        assertThatThrownBy(() -> OVERLAY.remoteNodeFlows(NODE, RemoteNode.of("bad", "10.251.0.9", "10.20.0.0/16")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("remote node bad: pod CIDR 10.20.0.0/16 overlaps the local pod CIDR 10.20.0.0/24");
        assertThatThrownBy(() -> OVERLAY.tunnelFlows(0)).hasMessageContaining("tunnel ofport: 0");
    }

    private static List<String> lines(List<FlowMod> flows) {
        return flows.stream().map(f -> FlowLine.of(f).toString()).toList();
    }
}
