package io.trellis.ovs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.client.OpenFlowClientConfig;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.transport.Endpoint;
import io.trellis.ovs.transport.NettyTransport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The full-install bundle with the overlay's state: a reinstall (agent start, OVS restart, resync)
 * writes the tunnel and remote-node flows in the same bundle as the pod pipeline. Bundles are only
 * computed here; the client is never connected.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineInstallerTest {

    static final NodeNetwork NODE = PipelineFlowsTest.NODE;
    static final List<LocalPod> PODS = List.of(PipelineFlowsTest.A);
    static final RemoteNode NODE_2 = RemoteNode.of("node-2", "10.251.0.2", "10.20.1.0/24");
    static final RemoteNode NODE_3 = RemoteNode.of("node-3", "10.251.0.3", "10.20.3.0/24");

    static final List<String> TUNNEL = List.of(
            "cookie=0x7472030100000000, table=0, priority=200,in_port=2 actions=set_field:0x3/0xf->reg0,goto_table:1",
            "cookie=0x7472030200000000, table=1, priority=200,ip,reg0=0x3/0xf actions=goto_table:3",
            "cookie=0x7472030200000000, table=1, priority=200,arp,reg0=0x3/0xf actions=drop",
            "cookie=0x7472030800000000, table=7, priority=200,dl_dst=aa:bb:cc:dd:ee:ff actions=output:2");
    static final String TO_NODE_2 = "cookie=0x747204060afb0002, table=5, priority=190,ip,nw_dst=10.20.1.0/24 actions="
            + "set_field:0a:00:00:00:00:01->eth_src,set_field:aa:bb:cc:dd:ee:ff->eth_dst,"
            + "set_field:10.251.0.2->tun_dst,dec_ttl,goto_table:6";
    static final String TO_NODE_3 = "cookie=0x747204060afb0003, table=5, priority=190,ip,nw_dst=10.20.3.0/24 actions="
            + "set_field:0a:00:00:00:00:01->eth_src,set_field:aa:bb:cc:dd:ee:ff->eth_dst,"
            + "set_field:10.251.0.3->tun_dst,dec_ttl,goto_table:6";

    private NettyTransport transport;
    private OpenFlowClient client;

    @BeforeAll
    void up() {
        transport = new NettyTransport(1, "installer-test");
        client = new OpenFlowClient(transport, new Endpoint.Unix(Path.of("/nonexistent/br-int.mgmt")),
                OpenFlowClientConfig.DEFAULT);
    }

    @AfterAll
    void down() {
        client.close();
        transport.close();
    }

    @Test
    void withoutTheOverlayAFullInstallIsThePodPipelineOnly() {
        PipelineInstaller installer = new PipelineInstaller(client, PipelineFlows.defaults());
        List<FlowMod> bundle = installer.installBundle(NODE, PODS);

        assertThat(bundle.get(0)).isEqualTo(PipelineFlows.defaults().deleteOwned());
        assertThat(lines(bundle.subList(1, bundle.size()))).containsExactlyElementsOf(lines(
                PipelineFlows.defaults().all(NODE, PODS)));
        assertThat(lines(bundle)).noneMatch(l -> l.contains("tun_dst") || l.contains("aa:bb:cc:dd:ee:ff"));
    }

    @Test
    void theFirstInstallAfterARestartLeavesTheOverlayFlowsUntilTheOverlayIsKnown() {
        PipelineInstaller installer = new PipelineInstaller(client, PipelineFlows.defaults());
        List<FlowMod> bundle = installer.installKeepingOverlayBundle(NODE, PODS);

        CookieScheme c = CookieScheme.DEFAULT;
        List<Long> deleted = bundle.stream().filter(m -> m.command() == io.trellis.ovs.openflow.message.FlowModCommand.DELETE)
                .map(FlowMod::cookie).toList();
        assertThat(deleted).contains(c.kindValue(CookieScheme.KIND_NODE), c.kindValue(CookieScheme.KIND_POD),
                c.kindValue(CookieScheme.KIND_SERVICE)).doesNotContain(c.kindValue(CookieScheme.KIND_TUNNEL),
                c.kindValue(CookieScheme.KIND_REMOTE_NODE), c.ownerValue());
        assertThat(bundle.stream().filter(m -> m.command() == io.trellis.ovs.openflow.message.FlowModCommand.DELETE))
                .allMatch(m -> m.cookieMask() == c.kindMask());
        assertThat(lines(bundle.subList(deleted.size(), bundle.size()))).containsExactlyElementsOf(lines(
                PipelineFlows.defaults().all(NODE, PODS)));

        // Once the overlay driver has put the tunnel in, the same call is a full install.
        installer.installTunnel(2);
        installer.replaceRemoteNodes(NODE, List.of(NODE_2));
        assertThat(installer.installKeepingOverlayBundle(NODE, PODS)).isEqualTo(installer.installBundle(NODE, PODS));
    }

    @Test
    void aFullInstallKeepsTheTunnelAndTheCurrentRemoteNodes() {
        PipelineInstaller installer = new PipelineInstaller(client, PipelineFlows.defaults());
        installer.installTunnel(2);
        installer.replaceRemoteNodes(NODE, List.of(NODE_2));
        installer.upsertRemoteNode(NODE, NODE_3);

        List<FlowMod> bundle = installer.installBundle(NODE, PODS);

        // One bundle: delete everything owned, then pipeline, tunnel, remote nodes.
        assertThat(bundle.get(0)).isEqualTo(PipelineFlows.defaults().deleteOwned());
        List<String> expected = new ArrayList<>(lines(PipelineFlows.defaults().all(NODE, PODS)));
        expected.addAll(TUNNEL);
        expected.add(TO_NODE_2);
        expected.add(TO_NODE_3);
        assertThat(lines(bundle.subList(1, bundle.size()))).containsExactlyElementsOf(expected);
    }

    @Test
    void removedAndChangedRemoteNodesAreNotReinstalledInTheirOldForm() {
        PipelineInstaller installer = new PipelineInstaller(client, PipelineFlows.defaults());
        installer.installTunnel(2);
        installer.replaceRemoteNodes(NODE, List.of(NODE_2, NODE_3));
        installer.removeRemoteNode("node-2");
        installer.upsertRemoteNode(NODE, RemoteNode.of("node-3", "10.251.0.9", "10.20.3.0/24"));

        List<String> bundle = lines(installer.installBundle(NODE, PODS));

        assertThat(bundle).doesNotContain(TO_NODE_2, TO_NODE_3);
        assertThat(bundle).contains("cookie=0x747204060afb0009, table=5, priority=190,ip,nw_dst=10.20.3.0/24 actions="
                + "set_field:0a:00:00:00:00:01->eth_src,set_field:aa:bb:cc:dd:ee:ff->eth_dst,"
                + "set_field:10.251.0.9->tun_dst,dec_ttl,goto_table:6");
        assertThat(installer.remoteNodes()).containsOnlyKeys("node-3");
    }

    private static List<String> lines(List<FlowMod> flows) {
        return flows.stream().map(f -> FlowLine.of(f).toString()).toList();
    }
}
