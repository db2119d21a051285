package io.trellis.iptables.vxlan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.spi.BackendSettings;
import io.trellis.spi.UninstallContext;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.node.NodeInfo;
import io.trellis.spi.node.NodeRouteException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three nodes, each a network namespace running a {@link VxlanNodeRouteDriver} through netlink
 * inside it, with one pod namespace behind a veth (gateway 10.20.N.1, pod 10.20.N.5, MTU 1450 as
 * the agent would set it). The underlay namespace has two bridges, subnet A 10.251.0.0/24 (nodes 1
 * and 2) and subnet B 10.252.0.0/24 (node 3), and routes between them; it knows nothing of pod
 * CIDRs, so pod traffic crosses it only encapsulated, or on subnet A directly with hostGateway.
 *
 * <p>Every test starts from drivers made anew (an agent restart) on whatever the previous test left,
 * so each also checks convergence from a foreign state.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VxlanNodeRouteDriverIntegrationTest {
    private static final String DEVICE = VxlanSettings.DEFAULT_DEVICE;

    private final Syscalls sys = Syscalls.system();
    private final NamespaceSwitcher switcher = new NamespaceSwitcher(sys);
    private VxlanTestbed bed;
    private String underlay;
    private final List<Node> nodes = new ArrayList<>();

    /** One node: its namespace, its pod's namespace, and the driver of the current "agent run". */
    private final class Node {
        final int n;
        final String ns;
        final String podNs;
        final String nodeIp;
        VxlanNodeRouteDriver driver;

        Node(int n, String ns, String podNs, String nodeIp) {
            this.n = n;
            this.ns = ns;
            this.podNs = podNs;
            this.nodeIp = nodeIp;
        }

        String name() {
            return "node-" + n;
        }

        String podIp() {
            return "10.20." + n + ".5";
        }

        String vtepIp() {
            return "10.20." + n + ".0";
        }

        String mac() {
            return VtepMac.of((java.net.Inet4Address) address(nodeIp)).toString();
        }

        NodeInfo info() {
            return new NodeInfo(name(), List.of(address(nodeIp)), List.of(IpPrefix.parse("10.20." + n + ".0/24")));
        }

        /** A new driver instance, as a restarted agent makes it, after closing the previous one. */
        VxlanNodeRouteDriver start(VxlanSettings settings) {
            stop();
            try (NetNamespace handle = NetNamespace.named(sys, ns)) {
                driver = new VxlanNodeRouteDriver(RtNetlink.openIn(sys, switcher, handle), settings,
                        IpPrefix.parse("10.20." + n + ".0/24"));
            }
            driver.localNode(info());
            return driver;
        }

        void stop() {
            if (driver != null) {
                driver.close();
                driver = null;
            }
        }

        String ip(String... args) {
            List<String> full = new ArrayList<>(List.of("ip", "-n", ns));
            full.addAll(List.of(args));
            return VxlanTestbed.run(full.toArray(String[]::new));
        }

        String fdb() {
            return VxlanTestbed.run("bridge", "-n", ns, "fdb", "show", "dev", DEVICE);
        }

        String neighbours() {
            return ip("neigh", "show", "dev", DEVICE);
        }

        String ownRoutes() {
            return ip("route", "show", "proto", String.valueOf(VxlanNodeRouteDriver.RTPROT_TRELLIS_VXLAN));
        }
    }

    @BeforeAll
    void up() {
        bed = new VxlanTestbed();
        try {
            underlay = bed.namespace("ul");
            String p = bed.prefix();
            bed.in(underlay, "sysctl", "-qw", "net.ipv4.ip_forward=1");
            for (String[] br : new String[][] {{p + "A", "10.251.0.254/24"}, {p + "B", "10.252.0.254/24"}}) {
                run("ip", "-n", underlay, "link", "add", br[0], "type", "bridge");
                run("ip", "-n", underlay, "addr", "add", br[1], "dev", br[0]);
                run("ip", "-n", underlay, "link", "set", br[0], "up");
            }
            addNode(1, "10.251.0.1", p + "A", "10.251.0.254");
            addNode(2, "10.251.0.2", p + "A", "10.251.0.254");
            addNode(3, "10.252.0.3", p + "B", "10.252.0.254");
        } catch (RuntimeException | AssertionError e) {
            down();
            throw e;
        }
    }

    private void addNode(int n, String nodeIp, String bridge, String gateway) {
        String p = bed.prefix();
        String ns = bed.namespace("n" + n);
        String podNs = bed.namespace("p" + n);
        // Underlay: <prefix>u<n> on the bridge, eth0 in the node.
        run("ip", "-n", underlay, "link", "add", p + "u" + n, "type", "veth", "peer", "name", "eth0", "netns", ns);
        run("ip", "-n", underlay, "link", "set", p + "u" + n, "master", bridge, "up");
        run("ip", "-n", ns, "addr", "add", nodeIp + "/24", "dev", "eth0");
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        run("ip", "-n", ns, "route", "add", "default", "via", gateway);
        bed.in(ns, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        // The pod: <prefix>g<n> with the gateway in the node, eth0 in the pod, MTU 1500 - 50.
        run("ip", "-n", ns, "link", "add", p + "g" + n, "mtu", "1450", "type", "veth", "peer", "name", "eth0",
                "netns", podNs, "mtu", "1450");
        run("ip", "-n", ns, "addr", "add", "10.20." + n + ".1/24", "dev", p + "g" + n);
        run("ip", "-n", ns, "link", "set", p + "g" + n, "up");
        run("ip", "-n", podNs, "addr", "add", "10.20." + n + ".5/24", "dev", "eth0");
        run("ip", "-n", podNs, "link", "set", "eth0", "up");
        run("ip", "-n", podNs, "route", "add", "default", "via", "10.20." + n + ".1");
        nodes.add(new Node(n, ns, podNs, nodeIp));
    }

    @AfterEach
    void stopDrivers() {
        nodes.forEach(Node::stop);
    }

    @AfterAll
    void down() {
        nodes.forEach(Node::stop);
        if (bed != null) {
            bed.close();
        }
    }

    private Node node(int n) {
        return nodes.get(n - 1);
    }

    /** Fresh drivers on every node, each told about the cluster in one of the three ways the agent uses. */
    private void startEverywhere(VxlanSettings settings) {
        List<NodeInfo> all = nodes.stream().map(Node::info).toList();
        for (Node node : nodes) {
            node.start(settings);
        }
        node(1).driver.replaceAll(List.of(node(2).info(), node(3).info()));
        node(2).driver.upsertNode(node(1).info());
        node(2).driver.upsertNode(node(3).info());
        node(3).driver.replaceAll(all); // its own Node among them is skipped
    }

    @Test
    void podsOnThreeNodesTalkOverVxlan() throws Exception {
        startEverywhere(VxlanSettings.defaults());
        Node n1 = node(1);
        assertThat(n1.driver.encapsulationOverhead()).isEqualTo(50);

        String device = n1.ip("-d", "addr", "show", "dev", DEVICE);
        assertThat(device).contains("mtu 1450").contains("link/ether " + n1.mac())
                .contains("vxlan id 1 local 10.251.0.1 dev eth0").contains("dstport 4789").contains("nolearning")
                .contains("inet 10.20.1.0/32");
        assertThat(n1.mac()).isEqualTo("02:74:0a:fb:00:01");
        for (Node remote : List.of(node(2), node(3))) {
            assertThat(n1.fdb()).contains(remote.mac() + " dst " + remote.nodeIp + " self permanent");
            assertThat(n1.neighbours()).contains(remote.vtepIp() + " lladdr " + remote.mac() + " PERMANENT");
            assertThat(n1.ownRoutes()).contains("10.20." + remote.n + ".0/24 via " + remote.vtepIp() + " dev " + DEVICE
                    + " onlink");
        }
        assertThat(n1.ownRoutes().lines()).hasSize(2);

        for (Node a : nodes) {
            for (Node b : nodes) {
                if (a != b) {
                    awaitPing(a, b.podIp());
                }
            }
        }
        // One routed hop on each node: the sending node and the receiving node each decrement the TTL.
        assertThat(bed.in(n1.podNs, "ping", "-c", "1", "-W", "2", node(3).podIp())).contains("ttl=62");
        // The node itself reaches remote pods too (source: its VTEP IP, which the remote routes back over VXLAN).
        assertThat(bed.in(n1.ns, "ping", "-c", "1", "-W", "2", node(2).podIp())).contains("1 received");

        // The underlay sees VXLAN, not the pod addresses: capture one packet on node 2's underlay port.
        String captured = captureWhile(bed.prefix() + "u2", "udp dst port 4789",
                () -> bed.in(n1.podNs, "ping", "-c", "3", "-i", "0.2", "-W", "2", node(2).podIp()));
        assertThat(captured).contains("10.251.0.1.").contains("> 10.251.0.2.4789: ").contains("VXLAN, flags [I] (0x08), vni 1")
                .contains("10.20.1.5 > 10.20.2.5: ICMP echo request");
        // Full-size TCP segments fit: the pods' MTU leaves room for the 50 bytes.
        assertThat(tcpEcho(n1, node(3), 7000, 200_000)).isEqualTo("got 200000");
        assertThat(tcpEcho(node(3), node(2), 7001, 100_000)).isEqualTo("got 100000");
    }

    @Test
    void removeNodeRemovesItsFdbNeighbourAndRoute() {
        startEverywhere(VxlanSettings.defaults());
        Node n1 = node(1);
        Node n2 = node(2);
        awaitPing(n1, n2.podIp());

        n1.driver.removeNode(n2.name());
        assertThat(n1.fdb()).doesNotContain(n2.mac());
        assertThat(n1.neighbours()).doesNotContain(n2.vtepIp());
        assertThat(n1.ownRoutes()).doesNotContain("10.20.2.0/24");
        assertThat(n1.ownRoutes()).contains("10.20.3.0/24");
        assertNoPing(n1, n2.podIp());
        awaitPing(n1, node(3).podIp());
        n1.driver.removeNode(n2.name()); // unknown now: not an error
        n1.driver.removeNode("never-seen");

        n1.driver.upsertNode(n2.info());
        n1.driver.upsertNode(n2.info()); // repeating changes nothing
        assertThat(n1.fdb()).containsOnlyOnce(n2.mac());
        awaitPing(n1, n2.podIp());

        // A Node that lost its pod CIDR is removed too.
        n1.driver.upsertNode(new NodeInfo(n2.name(), n2.info().addresses(), List.of()));
        assertThat(n1.ownRoutes()).doesNotContain("10.20.2.0/24");
        assertThat(n1.fdb()).doesNotContain(n2.mac());
    }

    @Test
    void aRestartedDriverConvergesFromAnyStateAndDropsStaleNodes() {
        startEverywhere(VxlanSettings.defaults());
        Node n1 = node(1);
        // The previous run knew a node that has since been deleted while no agent ran.
        NodeInfo gone = new NodeInfo("node-9", List.of(address("10.251.0.9")), List.of(IpPrefix.parse("10.20.9.0/24")));
        n1.driver.upsertNode(gone);
        assertThat(n1.ownRoutes()).contains("10.20.9.0/24");
        String index = n1.ip("-o", "link", "show", DEVICE).split(":")[0];
        // And a partial state: node 2's ARP entry and node 3's route lost.
        n1.ip("neigh", "del", node(2).vtepIp(), "dev", DEVICE);
        n1.ip("route", "del", "10.20.3.0/24");

        n1.start(VxlanSettings.defaults()).replaceAll(List.of(node(2).info(), node(3).info()));
        assertThat(n1.ip("-o", "link", "show", DEVICE).split(":")[0]).as("device kept, not recreated").isEqualTo(index);
        assertThat(n1.ownRoutes()).doesNotContain("10.20.9.0/24").contains("10.20.2.0/24").contains("10.20.3.0/24");
        assertThat(n1.fdb()).doesNotContain("02:74:0a:fb:00:09").contains(node(2).mac()).contains(node(3).mac());
        assertThat(n1.neighbours()).doesNotContain("10.20.9.0").contains(node(2).vtepIp());
        awaitPing(n1, node(2).podIp());
        awaitPing(n1, node(3).podIp());

        // The device itself deleted behind the agent's back: the next localNode recreates it with every entry.
        n1.ip("link", "del", DEVICE);
        assertNoPing(n1, node(2).podIp());
        n1.driver.localNode(n1.info());
        assertThat(n1.ownRoutes()).contains("10.20.2.0/24").contains("10.20.3.0/24");
        awaitPing(n1, node(2).podIp());
        awaitPing(n1, node(3).podIp());

        // A VNI change recreates the device; traffic resumes once every node uses it.
        VxlanSettings vni7 = new VxlanSettings(false, 7, 4789, DEVICE);
        startEverywhere(vni7);
        assertThat(n1.ip("-d", "link", "show", DEVICE)).contains("vxlan id 7 ");
        awaitPing(n1, node(3).podIp());
    }

    @Test
    void hostGatewayUsesPlainRoutesOnTheSharedSubnetAndVxlanBeyondIt() throws Exception {
        // Starts over whatever the previous test left (VXLAN entries for every node): they must go.
        startEverywhere(new VxlanSettings(true, 1, 4789, DEVICE));
        Node n1 = node(1);
        Node n2 = node(2);
        Node n3 = node(3);
        assertThat(n1.driver.encapsulationOverhead()).as("MTU must still fit VXLAN peers").isEqualTo(50);
        assertThat(n1.ownRoutes()).contains("10.20.2.0/24 via 10.251.0.2 dev eth0")
                .contains("10.20.3.0/24 via 10.20.3.0 dev " + DEVICE + " onlink");
        assertThat(n1.fdb()).doesNotContain(n2.mac()).contains(n3.mac());
        assertThat(n1.neighbours()).doesNotContain(n2.vtepIp()).contains(n3.vtepIp());
        assertThat(n2.ownRoutes()).contains("10.20.1.0/24 via 10.251.0.1 dev eth0");
        assertThat(n3.ownRoutes()).contains("10.20.1.0/24 via 10.20.1.0 dev " + DEVICE + " onlink");

        awaitPing(n1, n2.podIp());
        awaitPing(n2, n1.podIp());
        awaitPing(n1, n3.podIp());
        awaitPing(n3, n2.podIp());
        // Between nodes 1 and 2 the pod addresses travel unencapsulated on the underlay.
        String plain = captureWhile(bed.prefix() + "u2", "icmp and host " + n2.podIp(),
                () -> bed.in(n1.podNs, "ping", "-c", "3", "-i", "0.2", "-W", "2", n2.podIp()));
        assertThat(plain).contains("10.20.1.5 > 10.20.2.5: ICMP echo request");
        long before = txPackets(n1);
        bed.in(n1.podNs, "ping", "-c", "3", "-i", "0.2", "-W", "2", n2.podIp());
        assertThat(txPackets(n1)).as("nothing sent into the VXLAN device").isEqualTo(before);
        assertThat(tcpEcho(n1, n2, 7002, 100_000)).isEqualTo("got 100000");
        assertThat(tcpEcho(n3, n1, 7003, 100_000)).isEqualTo("got 100000");
    }

    @Test
    void badNodesAreReportedWithoutBlockingTheOthers() {
        startEverywhere(VxlanSettings.defaults());
        Node n1 = node(1);
        NodeInfo overlapping = new NodeInfo("node-x", List.of(address("10.251.0.8")), List.of(IpPrefix.parse("10.20.1.128/25")));
        NodeInfo ipv6Only = new NodeInfo("node-y", List.of(address("fd00::9")), List.of(IpPrefix.parse("10.20.9.0/24")));
        assertThatThrownBy(() -> n1.driver.replaceAll(List.of(overlapping, node(2).info(), ipv6Only, node(3).info())))
                .isInstanceOf(NodeRouteException.class)
                .hasMessageContaining("node node-x: pod CIDR 10.20.1.128/25 overlaps this node's pod CIDR 10.20.1.0/24")
                .hasMessageContaining("node node-y: no IPv4 internal IP");
        assertThat(n1.ownRoutes()).contains("10.20.2.0/24").contains("10.20.3.0/24").doesNotContain("10.20.9.0")
                .doesNotContain("10.20.1.128");
        awaitPing(n1, node(2).podIp());
        NodeInfo sameCidrAsNode2 = new NodeInfo("node-z", List.of(address("10.251.0.7")), List.of(IpPrefix.parse("10.20.2.0/24")));
        assertThatThrownBy(() -> n1.driver.upsertNode(sameCidrAsNode2)).isInstanceOf(NodeRouteException.class)
                .hasMessage("vxlan: node node-z: pod CIDR 10.20.2.0/24 overlaps pod CIDR 10.20.2.0/24 of node node-2");
        awaitPing(n1, node(2).podIp());

        // A driver must hear of its own node first; its pod CIDR and IP must be this node's.
        n1.stop();
        try (NetNamespace handle = NetNamespace.named(sys, n1.ns)) {
            try (VxlanNodeRouteDriver fresh = new VxlanNodeRouteDriver(RtNetlink.openIn(sys, switcher, handle),
                    VxlanSettings.defaults(), IpPrefix.parse("10.20.1.0/24"))) {
                assertThatThrownBy(() -> fresh.replaceAll(List.of())).isInstanceOf(NodeRouteException.class)
                        .hasMessage("vxlan: localNode must be called before the remote nodes");
                assertThatThrownBy(() -> fresh.localNode(new NodeInfo(n1.name(), List.of(address("10.251.0.1")),
                        List.of(IpPrefix.parse("10.20.7.0/24"))))).isInstanceOf(NodeRouteException.class)
                        .hasMessage("vxlan: local node node-1: pod CIDR 10.20.7.0/24 differs from the configured pod CIDR "
                                + "10.20.1.0/24");
                assertThatThrownBy(() -> fresh.localNode(new NodeInfo(n1.name(), List.of(address("10.251.0.99")),
                        List.of()))).isInstanceOf(NodeRouteException.class)
                        .hasMessage("vxlan: local node node-1: its IP 10.251.0.99 is on no interface of this network "
                                + "namespace");
            }
        }
    }

    @Test
    void uninstallLeavesNothing() {
        startEverywhere(new VxlanSettings(true, 1, 4789, DEVICE));
        VxlanBackend backend = new VxlanBackend();
        UninstallContext context = new UninstallContext("vxlan", BackendSettings.of("settings.vxlan", Map.of()),
                Path.of("/nonexistent/state"), Path.of("/nonexistent/run"));
        for (Node node : nodes) {
            node.stop();
            try (NetNamespace handle = NetNamespace.named(sys, node.ns)) {
                // uninstall works in the calling thread's namespace, as trellis-agent --uninstall runs on the node.
                switcher.run(handle, () -> backend.uninstall(context));
                switcher.run(handle, () -> backend.uninstall(context)); // idempotent
            }
            assertThat(VxlanTestbed.exec("ip", "-n", node.ns, "link", "show", DEVICE).exitCode()).isNotZero();
            assertThat(node.ownRoutes()).isBlank();
            assertThat(node.ip("-o", "link", "show")).doesNotContain("vxlan");
            // What the test itself set up stays.
            assertThat(node.ip("route", "show")).contains("default via").contains("10.20." + node.n + ".0/24 dev");
        }
        assertNoPing(node(1), node(2).podIp());
    }

    // ------------------------------------------------------------------ helpers

    private static void run(String... command) {
        VxlanTestbed.run(command);
    }

    private static InetAddress address(String text) {
        return io.trellis.netlink.route.IpPrefix.parseAddress(text);
    }

    private long txPackets(Node node) {
        String stats = node.ip("-s", "link", "show", DEVICE);
        // "TX:  bytes packets errors ..." then the numbers on the next line.
        List<String> lines = stats.lines().map(String::strip).toList();
        for (int i = 0; i < lines.size() - 1; i++) {
            if (lines.get(i).startsWith("TX:")) {
                return Long.parseLong(lines.get(i + 1).split("\\s+")[1]);
            }
        }
        throw new AssertionError("no TX counters in: " + stats);
    }

    private void awaitPing(Node from, String target) {
        VxlanTestbed.Result last = null;
        for (int i = 0; i < 10; i++) {
            last = bed.execIn(from.podNs, "ping", "-c", "1", "-W", "1", target);
            if (last.exitCode() == 0) {
                return;
            }
        }
        throw new AssertionError("pod of " + from.name() + " cannot ping " + target + ": " + last.stdout() + last.stderr());
    }

    private void assertNoPing(Node from, String target) {
        assertThat(bed.execIn(from.podNs, "ping", "-c", "2", "-i", "0.3", "-W", "1", target).exitCode())
                .as("ping from the pod of %s to %s must fail", from.name(), target).isNotZero();
    }

    /** Runs tcpdump for one matching packet on an underlay port while {@code traffic} runs; its decoded output. */
    private String captureWhile(String underlayPort, String filter, Runnable traffic) throws Exception {
        Process dump = new ProcessBuilder("ip", "netns", "exec", underlay, "tcpdump", "-l", "-n", "-vv", "-c", "1",
                "-i", underlayPort, filter).redirectErrorStream(false).start();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(dump.getErrorStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = err.readLine()) != null && !line.contains("listening on")) {
                // tcpdump prints "listening on ..." once the capture is armed
            }
            if (line == null) {
                throw new AssertionError("tcpdump did not start");
            }
            traffic.run();
            assertThat(dump.waitFor(10, TimeUnit.SECONDS)).as("tcpdump captured a packet matching " + filter).isTrue();
            return new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            dump.destroyForcibly();
            dump.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Sends {@code size} bytes from {@code client}'s pod to a server in {@code server}'s pod, which answers
     * "got N": the sockets are opened inside the pod namespaces and used from this thread.
     */
    private String tcpEcho(Node client, Node server, int port, int size) throws Exception {
        ServerSocket listener;
        try (NetNamespace serverNs = NetNamespace.named(sys, server.podNs)) {
            listener = switcher.call(serverNs, () -> new ServerSocket(port, 1, address(server.podIp())));
        }
        try (listener) {
            listener.setSoTimeout(10_000);
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket s = listener.accept()) {
                    long n = s.getInputStream().transferTo(OutputStream.nullOutputStream());
                    s.getOutputStream().write(("got " + n).getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            // The whole client side runs inside the pod namespace: java.net.Socket creates its descriptor
            // lazily, so a Socket merely constructed there would still open its socket where it is first used.
            String reply;
            try (NetNamespace clientNs = NetNamespace.named(sys, client.podNs)) {
                reply = switcher.call(clientNs, () -> {
                    try (Socket socket = new Socket()) {
                        socket.setSoTimeout(10_000);
                        socket.connect(new InetSocketAddress(address(server.podIp()), port), 5_000);
                        socket.getOutputStream().write(new byte[size]);
                        socket.shutdownOutput();
                        InputStream in = socket.getInputStream();
                        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                });
            }
            served.get(10, TimeUnit.SECONDS);
            return reply;
        }
    }
}
