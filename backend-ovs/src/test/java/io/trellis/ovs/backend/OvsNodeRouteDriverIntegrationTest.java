package io.trellis.ovs.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.client.OpenFlowClientConfig;
import io.trellis.ovs.ovsdb.OpenVSwitchDatabase;
import io.trellis.ovs.ovsdb.OvsdbClient;
import io.trellis.ovs.ovsdb.OvsdbClientOptions;
import io.trellis.ovs.pipeline.FlowLine;
import io.trellis.ovs.pipeline.LocalPod;
import io.trellis.ovs.pipeline.NodeNetwork;
import io.trellis.ovs.pipeline.PipelineFlows;
import io.trellis.ovs.pipeline.PipelineInstaller;
import io.trellis.ovs.testing.CommandResult;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.testing.Pod;
import io.trellis.ovs.transport.Backoff;
import io.trellis.ovs.transport.NettyTransport;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.TunnelType;
import io.trellis.spi.node.NodeInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two nodes, each an {@link OvsSandbox} (own netns, own ovsdb-server and ovs-vswitchd), joined by
 * a veth underlay. As in the shared two-node recipe, each node's underlay IP lives on an OVS
 * netdev bridge br-phy holding the uplink (userspace native tunnelling); br-int holds the pod
 * pipeline, the gateway and the Geneve port the driver creates. One pod per node, MTU 1450.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OvsNodeRouteDriverIntegrationTest {
    private static final String BR_INT = "br-int";
    private static final int GATEWAY_PORT = 1;
    private static final String GW = OvsNodeSetup.GATEWAY_PORT;
    private static final int POD_PORT = 11;
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final OpenFlowClientConfig CONFIG = OpenFlowClientConfig.DEFAULT
            .withRequestTimeout(Duration.ofSeconds(10))
            .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), 2.0));

    private final PipelineFlows flows = PipelineFlows.defaults();
    private final List<Node> nodes = new ArrayList<>();
    private NettyTransport transport;
    private Node n1;
    private Node n2;

    /** One node of the test cluster and the clients the driver uses. */
    private static final class Node {
        final int index;
        final OvsSandbox sandbox;
        OvsdbClient ovsdb;
        NodeNetlink netlink;
        OpenFlowClient openflow;
        NodeNetwork network;
        Pod pod;
        OvsNodeRouteDriver driver;
        PipelineInstaller installer;
        String script;

        Node(int index, OvsSandbox sandbox) {
            this.index = index;
            this.sandbox = sandbox;
        }

        String name() {
            return "node-" + index;
        }

        String nodeIp() {
            return "10.251.0." + index;
        }

        NodeInfo info() {
            return new NodeInfo(name(), List.of(address(nodeIp())), List.of(IpPrefix.parse("10.20." + index + ".0/24")));
        }
    }

    @BeforeAll
    void up() throws IOException {
        try {
            transport = new NettyTransport(1, "it-overlay");
            n1 = startNode(1);
            n2 = startNode(2);
            // The underlay: one veth pair between the two node namespaces.
            String u1 = n1.sandbox.id() + "u";
            String u2 = n2.sandbox.id() + "u";
            n1.sandbox.exec("ip", "link", "add", u1, "type", "veth", "peer", "name", u2, "netns", n2.sandbox.netns());
            for (Node n : List.of(n1, n2)) {
                setUpNode(n, n == n1 ? u1 : u2);
            }
            for (Node n : nodes) {
                n.driver.localNode(n.info());
                assertThat(n.sandbox.exec("ip", "-4", "-o", "addr", "show", "dev", "br-phy"))
                        .as("node IP moved onto br-phy").contains(n.nodeIp() + "/24");
            }
            n1.driver.upsertNode(n2.info());
            n2.driver.replaceAll(List.of(n1.info(), n2.info()));
        } catch (RuntimeException | IOException | AssertionError e) {
            down();
            throw e;
        }
    }

    @AfterAll
    void down() {
        RuntimeException failure = null;
        for (Node n : nodes) {
            try {
                if (n.openflow != null) {
                    n.openflow.close();
                }
                if (n.ovsdb != null) {
                    n.ovsdb.close();
                }
                if (n.netlink != null) {
                    n.netlink.close();
                }
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                try {
                    n.sandbox.close();
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
        }
        nodes.clear();
        if (transport != null) {
            transport.close();
            transport = null;
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Test
    void podsOnTwoNodesTalkThroughTheGeneveOverlayUntilTheNodeIsRemoved() {
        assertThat(n1.driver.encapsulationOverhead()).isEqualTo(50);
        // The tunnel port was created by the driver with the fixed ofport and flow-based options.
        assertThat(n1.sandbox.vsctl("get", "interface", OvsNodeRouteDriver.TUNNEL_PORT, "ofport").strip()).isEqualTo("2");
        assertThat(n1.sandbox.vsctl("get", "interface", OvsNodeRouteDriver.TUNNEL_PORT, "options").strip())
                .isEqualTo("{key=flow, remote_ip=flow}");
        assertThat(ownedLines(n1)).anyMatch(l -> l.contains("nw_dst=10.20.2.0/24 actions=set_field:"
                + n1.network.gatewayMac() + "->eth_src,set_field:aa:bb:cc:dd:ee:ff->eth_dst,"
                + "set_field:10.251.0.2->tun_dst,dec_ttl,goto_table:6"));

        awaitPing(n1, n2.pod.ipv4());
        awaitPing(n2, n1.pod.ipv4());
        // TTL: one routed hop (dec_ttl on the sending node).
        CommandResult ping = n1.sandbox.execResult(n1.pod.netns(), List.of("ping", "-c", "1", "-W", "2", n2.pod.ipv4()));
        assertThat(ping.stdout()).contains("ttl=63");
        // TCP with full-size segments: the pod MTU leaves room for Geneve.
        assertThat(tcpGet(n2, n1, 8080, "over-geneve")).isEqualTo("over-geneve bytes=" + (11 + 1 + 65536));
        // The traffic really crossed the underlay as Geneve (UDP 6081 on br-phy's datapath flows).
        assertThat(n1.sandbox.appctlVswitchd("dpctl/dump-flows")).contains("geneve");

        n1.driver.removeNode(n2.name());
        assertThat(ownedLines(n1)).noneMatch(l -> l.contains("tun_dst"));
        assertThat(ownedLines(n1)).anyMatch(l -> l.contains("dl_dst=aa:bb:cc:dd:ee:ff actions=output:2"));
        assertNoPing(n1, n2.pod.ipv4());
        n1.driver.removeNode(n2.name()); // unknown now: not an error

        n1.driver.upsertNode(n2.info());
        awaitPing(n1, n2.pod.ipv4());

        // replaceAll without node-1's peer removes it, with it brings it back.
        n2.driver.replaceAll(List.of());
        assertThat(ownedLines(n2)).noneMatch(l -> l.contains("tun_dst"));
        assertNoPing(n1, n2.pod.ipv4());
        n2.driver.replaceAll(List.of(n1.info()));
        awaitPing(n1, n2.pod.ipv4());
    }

    @Test
    void aFullPipelineReinstallKeepsTheOverlayFlowsAndCrossNodeTraffic() {
        n1.driver.upsertNode(n2.info());
        n2.driver.replaceAll(List.of(n1.info()));
        awaitPing(n1, n2.pod.ipv4());
        List<String> before = ownedLines(n1);
        assertThat(before).anyMatch(l -> l.contains("set_field:10.251.0.2->tun_dst"));

        // What the pod driver does at agent start, OVS restart and resync: replace every owned flow.
        await(n1.installer.install(n1.network,
                List.of(LocalPod.of("default/p" + n1.index, POD_PORT, n1.pod.ipv4(), n1.pod.mac()))));

        assertThat(ownedLines(n1)).containsExactlyInAnyOrderElementsOf(before);
        CommandResult ping = n1.sandbox.execResult(n1.pod.netns(), List.of("ping", "-c", "1", "-W", "2", n2.pod.ipv4()));
        assertThat(ping.exitCode()).as("ping right after the reinstall: %s", ping).isZero();
    }

    @Test
    void theNodeReachesRemotePodsThroughItsGatewayRoutes() {
        n1.driver.upsertNode(n2.info());
        n2.driver.replaceAll(List.of(n1.info()));
        assertThat(n1.sandbox.exec("ip", "-4", "route", "show", "proto", "116"))
                .contains("10.20.2.0/24 via 10.20.2.1 dev " + GW + " onlink");
        assertThat(n1.sandbox.exec("ip", "-4", "neigh", "show", "dev", GW))
                .contains("10.20.2.1 lladdr aa:bb:cc:dd:ee:ff PERMANENT");
        // Node to remote pod: out of the gateway (source: the local gateway IP), tunnelled, and back.
        awaitNodePing(n1, n2.pod.ipv4());
        awaitNodePing(n2, n1.pod.ipv4());

        n1.driver.removeNode(n2.name());
        assertThat(n1.sandbox.exec("ip", "-4", "route", "show", "proto", "116")).isBlank();
        assertThat(n1.sandbox.exec("ip", "-4", "neigh", "show", "dev", GW)).doesNotContain("10.20.2.1");

        // replaceAll removes stale routes of ours (e.g. from an earlier agent run) and adds the wanted ones.
        n1.sandbox.exec("ip", "route", "add", "10.20.9.0/24", "via", "10.20.9.1", "dev", GW, "onlink", "proto", "116");
        n1.driver.replaceAll(List.of(n2.info()));
        assertThat(n1.sandbox.exec("ip", "-4", "route", "show", "proto", "116")).doesNotContain("10.20.9.0")
                .contains("10.20.2.0/24 via 10.20.2.1");
        awaitNodePing(n1, n2.pod.ipv4());
    }

    @Test
    void vxlanIsTheConfigurableAlternativeAndReplacesTheGenevePort() {
        try {
            for (Node n : nodes) {
                n.driver = driver(n, TunnelType.VXLAN);
                n.driver.localNode(n.info());
                n.driver.replaceAll(List.of(n1.info(), n2.info()));
            }
            assertThat(n1.sandbox.vsctl("get", "interface", OvsNodeRouteDriver.TUNNEL_PORT, "type").strip())
                    .isEqualTo("vxlan");
            assertThat(n1.sandbox.vsctl("get", "interface", OvsNodeRouteDriver.TUNNEL_PORT, "ofport").strip())
                    .isEqualTo("2");
            assertThat(n1.driver.encapsulationOverhead()).isEqualTo(50);
            awaitPing(n1, n2.pod.ipv4());
            assertThat(tcpGet(n2, n1, 8081, "over-vxlan")).isEqualTo("over-vxlan bytes=" + (10 + 1 + 65536));
            assertThat(n1.sandbox.appctlVswitchd("dpctl/dump-flows")).contains("vxlan");
        } finally {
            for (Node n : nodes) {
                n.driver = driver(n, TunnelType.GENEVE);
                n.driver.localNode(n.info());
                n.driver.replaceAll(List.of(n1.info(), n2.info()));
            }
        }
        assertThat(n1.sandbox.vsctl("get", "interface", OvsNodeRouteDriver.TUNNEL_PORT, "type").strip())
                .isEqualTo("geneve");
        awaitPing(n1, n2.pod.ipv4());
    }

    // ------------------------------------------------------------------ set-up

    private Node startNode(int index) {
        Node n = new Node(index, OvsSandbox.start());
        nodes.add(n);
        return n;
    }

    private void setUpNode(Node n, String uplink) throws IOException {
        OvsSandbox s = n.sandbox;
        s.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        // Underlay: the node IP starts on the uplink; UplinkBridge then moves it onto br-phy, which holds
        // the uplink (userspace tunnelling), as the agent does in netdev mode.
        s.exec("ip", "addr", "add", n.nodeIp() + "/24", "dev", uplink);
        s.exec("ip", "link", "set", uplink, "up");
        n.ovsdb = new OvsdbClient(transport, s.dbEndpoint(), OvsdbClientOptions.DEFAULT);
        await(n.ovsdb.connect());
        n.netlink = NodeNetlink.in(Syscalls.system(), NetNamespace.named(Syscalls.system(), s.netns()));

        s.addBridge(BR_INT);
        s.vsctl("set-fail-mode", BR_INT, "secure");
        s.vsctl("add-port", BR_INT, GW, "--", "set", "interface", GW, "type=internal",
                "ofport_request=" + GATEWAY_PORT);
        String gatewayIp = "10.20." + n.index + ".1";
        s.exec("ip", "addr", "add", gatewayIp + "/24", "dev", GW);
        s.exec("ip", "link", "set", GW, "up");
        String gatewayMac = s.exec("cat", "/sys/class/net/" + GW + "/address").strip();
        n.network = NodeNetwork.of(GATEWAY_PORT, gatewayIp, gatewayMac, "10.20." + n.index + ".0/24");

        n.pod = s.addPod(BR_INT, "10.20." + n.index + ".11/24", POD_PORT);
        s.execIn(n.pod.netns(), "ip", "link", "set", "eth0", "mtu", "1450");
        s.execIn(n.pod.netns(), "ip", "route", "add", "default", "via", gatewayIp);

        Path scriptFile = s.runDir().resolve("nettool.py");
        try (InputStream in = getClass().getResourceAsStream("/io/trellis/ovs/pipeline/nettool.py")) {
            assertThat(in).as("test resource nettool.py").isNotNull();
            Files.write(scriptFile, in.readAllBytes());
        }
        n.script = scriptFile.toString();

        s.ofctl(BR_INT, "del-flows");
        n.openflow = new OpenFlowClient(transport, s.bridgeEndpoint(BR_INT), CONFIG);
        await(n.openflow.connect());
        PipelineInstaller installer = new PipelineInstaller(n.openflow, flows);
        await(installer.install(n.network,
                List.of(LocalPod.of("default/p" + n.index, POD_PORT, n.pod.ipv4(), n.pod.mac()))));

        n.installer = installer;
        n.driver = driver(n, TunnelType.GENEVE);
    }

    /**
     * The driver as the backend makes it in netdev mode: it moves the node IP onto br-phy itself,
     * finding the uplink by the node IP.
     */
    private static OvsNodeRouteDriver driver(Node n, TunnelType type) {
        OpenVSwitchDatabase db = new OpenVSwitchDatabase(n.ovsdb);
        NodeNetwork network = n.network;
        return new OvsNodeRouteDriver(db, n.installer, BR_INT, type,
                new NetdevUplink(new UplinkBridge(db, n.netlink, "br-phy", TIMEOUT), "br-phy", Optional.empty(),
                        n.netlink), n.netlink, () -> network, TIMEOUT);
    }

    // ------------------------------------------------------------------ helpers

    private List<String> ownedLines(Node n) {
        return await(new PipelineInstaller(n.openflow, flows).ownedFlows()).stream().map(FlowLine::toString).toList();
    }

    /** Like {@link #awaitPing}, from the node's own namespace (through the gateway routes). */
    private static void awaitNodePing(Node from, String to) {
        CommandResult last = null;
        for (int attempt = 0; attempt < 8; attempt++) {
            last = from.sandbox.execResult(from.sandbox.netns(), List.of("ping", "-c", "1", "-W", "1", to));
            if (last.exitCode() == 0) {
                return;
            }
        }
        throw new AssertionError(from.name() + " cannot ping " + to + " from the node: " + last);
    }

    /** Pings until one answer comes: the first packets may be lost while OVS resolves the peer's MAC on br-phy. */
    private static void awaitPing(Node from, String to) {
        CommandResult last = null;
        for (int attempt = 0; attempt < 8; attempt++) {
            last = from.sandbox.execResult(from.pod.netns(), List.of("ping", "-c", "1", "-W", "1", to));
            if (last.exitCode() == 0) {
                return;
            }
        }
        throw new AssertionError("ping " + from.pod.ipv4() + " -> " + to + " never answered: " + last.stdout());
    }

    private static void assertNoPing(Node from, String to) {
        CommandResult r = from.sandbox.execResult(from.pod.netns(), List.of("ping", "-c", "2", "-W", "1", to));
        assertThat(r.exitCode()).as("ping %s -> %s should fail: %s", from.pod.ipv4(), to, r.stdout()).isNotZero();
    }

    /** A TCP server in {@code server}'s pod; returns the first line and byte count the client in {@code client}'s pod got. */
    private static String tcpGet(Node server, Node client, int port, String text) {
        Process p = server.sandbox.spawn(server.pod.netns(),
                List.of("python3", server.script, "serve", server.pod.ipv4(), Integer.toString(port), text));
        try {
            String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(first).as("TCP server started").isEqualTo("ready");
            CommandResult r = client.sandbox.execResult(client.pod.netns(),
                    List.of("python3", client.script, "connect", server.pod.ipv4(), Integer.toString(port), "10"));
            assertThat(r.exitCode()).as("TCP client: %s", r.stdout()).isZero();
            return r.stdout().strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            p.destroyForcibly();
        }
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip); // a literal: no name lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no result within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
