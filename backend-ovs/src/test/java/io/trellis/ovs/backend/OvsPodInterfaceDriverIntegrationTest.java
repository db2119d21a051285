package io.trellis.ovs.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.ovs.ovsdb.DatapathType;
import io.trellis.ovs.ovsdb.OpenVSwitchDatabase;
import io.trellis.ovs.ovsdb.OvsdbClient;
import io.trellis.ovs.ovsdb.OvsdbClientOptions;
import io.trellis.ovs.pipeline.CookieScheme;
import io.trellis.ovs.pipeline.FlowLine;
import io.trellis.ovs.pipeline.Ipv4Subnet;
import io.trellis.ovs.pipeline.LocalPod;
import io.trellis.ovs.pipeline.NodeNetwork;
import io.trellis.ovs.testing.CommandResult;
import io.trellis.ovs.testing.CommandRunner;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.transport.NettyTransport;
import io.trellis.spi.model.IpAddress;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Route;
import io.trellis.spi.pod.PodInterfaceException;
import io.trellis.spi.pod.PodInterfaceRequest;
import io.trellis.spi.pod.PodInterfaces;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The driver against a real OVS (userspace datapath) in an {@link OvsSandbox}: the sandbox's
 * namespace plays the node (ovs-vswitchd runs there, so the gateway and host veth ends live
 * there); pods are namespaces named {@code <sandbox>p9N}, which the sandbox also removes. Traffic
 * is checked with ping and with TCP sockets opened inside the namespaces.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OvsPodInterfaceDriverIntegrationTest {

    private static final Ipv4Subnet POD_CIDR = Ipv4Subnet.parse("10.77.0.0/24");
    private static final String GATEWAY = "10.77.0.1";
    private static final int MTU = 1450;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Syscalls sys = Syscalls.system();
    private final NamespaceSwitcher switcher = new NamespaceSwitcher(sys);
    private final CommandRunner runner = new CommandRunner(Map.of(), Duration.ofSeconds(30));
    /** Distinguishes this run's container ids and pod namespaces in OVSDB and logs. */
    private final String run = HexFormat.of().formatHex(randomBytes(3));
    private final AtomicInteger podCount = new AtomicInteger(90);
    private final List<String> podNetns = new ArrayList<>();
    private OvsSandbox sandbox;
    private OvsSettings settings;
    private OvsPodInterfaceDriver driver;

    @BeforeAll
    void startNode() {
        sandbox = OvsSandbox.start();
        settings = new OvsSettings(DatapathType.NETDEV, "br-int", "br-ex", sandbox.dbSocket(), sandbox.runDir(),
                Optional.empty(), Optional.empty());
        driver = startDriver();
    }

    @AfterAll
    void stopNode() {
        try {
            if (driver != null) {
                driver.close();
            }
        } finally {
            try {
                for (String ns : podNetns) {
                    runner.run(List.of("ip", "netns", "del", ns));
                }
            } finally {
                sandbox.close();
            }
        }
    }

    private OvsPodInterfaceDriver startDriver() {
        NodeNetlink node = NodeNetlink.in(sys, NetNamespace.named(sys, sandbox.netns()));
        return OvsPodInterfaceDriver.start(settings, POD_CIDR, node, TIMEOUT);
    }

    @Test
    void bringsUpTheBridgeAndGatewayOnTheNode() {
        assertThat(sandbox.vsctl("get", "bridge", "br-int", "datapath_type").strip()).isEqualTo("netdev");
        assertThat(sandbox.vsctl("get", "bridge", "br-int", "fail_mode").strip()).isEqualTo("secure");
        assertThat(sandbox.vsctl("get", "bridge", "br-int", "protocols").strip())
                .isEqualTo("[OpenFlow13, OpenFlow15]");
        assertThat(sandbox.vsctl("list-ports", "br-int")).contains(OvsNodeSetup.GATEWAY_PORT);
        String gw = sandbox.exec("ip", "-4", "-o", "addr", "show", "dev", OvsNodeSetup.GATEWAY_PORT);
        assertThat(gw).contains(GATEWAY + "/24");
        String mac = sandbox.exec("cat", "/sys/class/net/" + OvsNodeSetup.GATEWAY_PORT + "/address").strip();
        assertThat(mac).isEqualTo("0a:58:0a:4d:00:01").isEqualTo(driver.node().gatewayMac().toString());
        assertThat(driver.node().gatewayOfport()).isEqualTo(
                Integer.parseInt(sandbox.vsctl("get", "interface", OvsNodeSetup.GATEWAY_PORT, "ofport").strip()));
    }

    @Test
    void bringUpIsIdempotentAndSetsThePmdCpuMask() {
        OvsSettings withMask = new OvsSettings(DatapathType.NETDEV, "br-int", "br-ex", sandbox.dbSocket(),
                sandbox.runDir(), Optional.empty(), Optional.of("0x1"));
        try (NettyTransport transport = new NettyTransport(1, "test-ovsdb");
             OvsdbClient client = new OvsdbClient(transport, sandbox.dbEndpoint(), OvsdbClientOptions.DEFAULT);
             NodeNetlink node = NodeNetlink.in(sys, NetNamespace.named(sys, sandbox.netns()))) {
            Await.result(client.connect(), TIMEOUT, "connect");
            NodeNetwork again = new OvsNodeSetup(withMask, new OpenVSwitchDatabase(client), node, TIMEOUT)
                    .bringUp(POD_CIDR);
            assertThat(again).isEqualTo(driver.node());
        }
        assertThat(sandbox.vsctl("get", "open_vswitch", ".", "other_config:pmd-cpu-mask").strip()).isEqualTo("\"0x1\"");
        assertThat(sandbox.vsctl("list-ports", "br-int").lines().filter(OvsNodeSetup.GATEWAY_PORT::equals)).hasSize(1);
        assertThat(sandbox.exec("ip", "-4", "-o", "addr", "show", "dev", OvsNodeSetup.GATEWAY_PORT).lines()).hasSize(1);
    }

    @Test
    void podsTalkToEachOtherAndToTheGatewayAndDetachRemovesEverything() throws Exception {
        TestPod a = newPod("a", "10.77.0.11");
        TestPod b = newPod("b", "10.77.0.12");
        TestPod c = newPod("c", "10.77.0.13");
        PodInterfaces ia = driver.attach(a.request());
        PodInterfaces ib = driver.attach(b.request());
        driver.attach(c.request());

        String hostA = PodPortNaming.hostInterface(a.attachment());
        assertThat(ia.host()).map(h -> h.name()).contains(hostA);
        assertThat(ia.pod().name()).isEqualTo("eth0");
        assertThat(ia.pod().mac()).isEqualTo(MacAddress.parse("0a:58:0a:4d:00:0b"));
        assertThat(ia.pod().sandbox()).contains(a.path());
        assertThat(ia.routes()).isEqualTo(a.request().routes());
        String podLink = a.exec("ip", "-o", "link", "show", "dev", "eth0");
        assertThat(podLink).contains("mtu " + MTU, "0a:58:0a:4d:00:0b", "state UP");
        assertThat(a.exec("ip", "-4", "route", "show", "default")).contains("via " + GATEWAY + " dev eth0");
        assertThat(a.exec("ethtool", "-k", "eth0")).contains("tx-checksumming: off");
        assertThat(sandbox.exec("ip", "-o", "link", "show", "dev", hostA)).contains("mtu " + MTU, "state UP");

        // The port's external_ids are enough to find the pod again after a restart.
        assertThat(externalId("interface", hostA, "trellis.container-id")).isEqualTo(a.attachment().containerId());
        assertThat(externalId("interface", hostA, "trellis.if-name")).isEqualTo("eth0");
        assertThat(externalId("interface", hostA, "trellis.pod-namespace")).isEqualTo("ns-" + run);
        assertThat(externalId("interface", hostA, "trellis.pod-name")).isEqualTo("a");
        assertThat(externalId("interface", hostA, "trellis.ip")).isEqualTo("10.77.0.11");
        assertThat(externalId("interface", hostA, "trellis.mac")).isEqualTo("0a:58:0a:4d:00:0b");
        assertThat(externalId("interface", hostA, "trellis.netns")).isEqualTo(a.path().toString());
        assertThat(externalId("port", hostA, "trellis.container-id")).isEqualTo(a.attachment().containerId());

        assertPing(a, "10.77.0.12");
        assertPing(b, "10.77.0.13");
        assertPing(c, GATEWAY);
        assertThat(tcpEcho(b, "10.77.0.12", a)).isEqualTo("echo a->b");
        assertThat(tcpEcho(a, "10.77.0.11", c)).isEqualTo("echo c->a");
        assertThat(tcpEchoFromNode(c)).isEqualTo("echo c->node");

        // Detach b: its flows, port and veth go; the others keep working.
        int ofportB = Integer.parseInt(sandbox.vsctl("get", "interface", ib.host().get().name(), "ofport").strip());
        assertThat(ownedFlowsOfPort(ofportB)).isNotEmpty();
        driver.detach(b.attachment(), Optional.of(b.path()));
        assertThat(sandbox.vsctl("list-ports", "br-int")).doesNotContain(ib.host().get().name());
        assertThat(linkExists(sandbox.netns(), ib.host().get().name())).isFalse();
        assertThat(linkExists(b.netns(), "eth0")).isFalse();
        assertThat(ownedFlowsOfPort(ofportB)).isEmpty();
        assertThat(driver.localPods()).extracting(LocalPod::ofport).doesNotContain(ofportB);
        assertNoPing(a, "10.77.0.12");
        assertPing(a, "10.77.0.13");

        // Detach is idempotent.
        assertThatCode(() -> driver.detach(b.attachment(), Optional.of(b.path()))).doesNotThrowAnyException();
        assertThatCode(() -> driver.detach(b.attachment(), Optional.empty())).doesNotThrowAnyException();
    }

    @Test
    void detachSucceedsWhenTheNetnsIsGone() throws InterruptedException {
        TestPod d = newPod("d", "10.77.0.21");
        PodInterfaces id = driver.attach(d.request());
        String host = id.host().get().name();
        runner.run(List.of("ip", "netns", "del", d.netns())).stdoutOrThrow();
        // Destroying the namespace destroys the veth pair, asynchronously (the kernel tears a
        // namespace down in a work queue after its last reference goes); OVS still has the port.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (linkExists(sandbox.netns(), host) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(linkExists(sandbox.netns(), host)).isFalse();
        assertThat(sandbox.vsctl("list-ports", "br-int")).contains(host);

        assertThatCode(() -> driver.detach(d.attachment(), Optional.of(d.path()))).doesNotThrowAnyException();
        assertThat(sandbox.vsctl("list-ports", "br-int")).doesNotContain(host);
        assertThat(driver.localPods()).extracting(LocalPod::name).noneMatch(n -> n.contains("/d "));
    }

    @Test
    void checkPassesOnAHealthyPodAndNamesWhatIsBroken() {
        TestPod e = newPod("e", "10.77.0.31");
        PodInterfaces ie = driver.attach(e.request());
        assertThatCode(() -> driver.check(e.request(), ie)).doesNotThrowAnyException();

        // A repeated ADD of an intact attachment returns the same interfaces and changes nothing.
        String ofportBefore = sandbox.vsctl("get", "interface", ie.host().get().name(), "ofport");
        assertThat(driver.attach(e.request())).isEqualTo(ie);
        assertThat(sandbox.vsctl("get", "interface", ie.host().get().name(), "ofport")).isEqualTo(ofportBefore);

        e.exec("ip", "addr", "flush", "dev", "eth0");
        assertThatThrownBy(() -> driver.check(e.request(), ie))
                .isInstanceOf(PodInterfaceException.class)
                .hasMessageContaining("ns-" + run + "/e eth0")
                .hasMessageContaining("lacks address 10.77.0.31/24");

        TestPod f = newPod("f", "10.77.0.32");
        PodInterfaces iff = driver.attach(f.request());
        int ofport = Integer.parseInt(sandbox.vsctl("get", "interface", iff.host().get().name(), "ofport").strip());
        CookieScheme cookies = CookieScheme.DEFAULT;
        sandbox.ofctl("br-int", "del-flows", String.format("cookie=0x%x/0x%x", cookies.podValue(ofport), cookies.podMask()));
        assertThatThrownBy(() -> driver.check(f.request(), iff))
                .isInstanceOf(PodInterfaceException.class)
                .hasMessageContaining("flow missing on bridge br-int");

        sandbox.vsctl("del-port", "br-int", iff.host().get().name());
        assertThatThrownBy(() -> driver.check(f.request(), iff))
                .isInstanceOf(PodInterfaceException.class)
                .hasMessageContaining("OVS port " + iff.host().get().name() + " is missing");

        // ADD again repairs the attachment.
        PodInterfaces repaired = driver.attach(f.request());
        assertThat(repaired.pod()).isEqualTo(iff.pod());
        assertThatCode(() -> driver.check(f.request(), repaired)).doesNotThrowAnyException();
        driver.detach(e.attachment(), Optional.of(e.path()));
        driver.detach(f.attachment(), Optional.of(f.path()));
    }

    @Test
    void failedAttachLeavesNothingBehind() {
        TestPod g = newPod("g", "10.77.0.41");
        PodInterfaceRequest missingNetns = new PodInterfaceRequest(g.attachment(), Path.of("/var/run/netns/" + g.netns() + "x"),
                g.request().addresses(), g.request().routes(), MTU, Optional.empty());
        String host = PodPortNaming.hostInterface(g.attachment());
        assertThatThrownBy(() -> driver.attach(missingNetns))
                .isInstanceOf(PodInterfaceException.class)
                .hasMessageContaining("ns-" + run + "/g eth0: opening netns /var/run/netns/" + g.netns() + "x");
        assertThat(sandbox.vsctl("list-ports", "br-int")).doesNotContain(host);

        // The route's gateway is not on the pod's subnet: the kernel refuses it after the veth exists.
        PodInterfaceRequest badRoute = new PodInterfaceRequest(g.attachment(), g.path(), g.request().addresses(),
                List.of(new Route(IpPrefix.parse("0.0.0.0/0"), Optional.of(address("192.0.2.1")))), MTU, Optional.empty());
        assertThatThrownBy(() -> driver.attach(badRoute))
                .isInstanceOf(PodInterfaceException.class)
                .hasMessageContaining("adding route 0.0.0.0/0 via 192.0.2.1");
        assertThat(linkExists(sandbox.netns(), host)).isFalse();
        assertThat(linkExists(g.netns(), "eth0")).isFalse();
        assertThat(sandbox.vsctl("list-ports", "br-int")).doesNotContain(host);
    }

    @Test
    void restartRecoversPodsFromOvsdbAndGarbageCollectsTheDead() throws Exception {
        TestPod h = newPod("h", "10.77.0.51");
        TestPod i = newPod("i", "10.77.0.52");
        driver.attach(h.request());
        driver.attach(i.request());
        List<LocalPod> before = driver.localPods();

        driver.close();
        driver = startDriver();
        assertThat(driver.localPods()).containsExactlyInAnyOrderElementsOf(before);
        assertThat(Await.result(driver.installer().diff(driver.node(), driver.localPods()), TIMEOUT, "diff").isEmpty())
                .isTrue();
        assertPing(h, "10.77.0.52");

        Set<PodAttachment> removed = driver.garbageCollect(Set.of(h.attachment()));
        assertThat(removed).contains(i.attachment()).doesNotContain(h.attachment());
        assertThat(sandbox.vsctl("list-ports", "br-int"))
                .doesNotContain(PodPortNaming.hostInterface(i.attachment()))
                .contains(PodPortNaming.hostInterface(h.attachment()), OvsNodeSetup.GATEWAY_PORT);
        assertPing(h, GATEWAY);
        driver.detach(h.attachment(), Optional.of(h.path()));
    }

    @Test
    void aRestartedVswitchdGetsTheGatewayAndFlowsBack() {
        TestPod j = newPod("j", "10.77.0.61");
        TestPod k = newPod("k", "10.77.0.62");
        driver.attach(j.request());
        driver.attach(k.request());
        assertPing(j, "10.77.0.62");

        sandbox.killVswitchd();
        sandbox.startVswitchd();
        // The restarted switch has no flows and a new gateway device without its address; the driver
        // notices the OpenFlow reconnection and puts both back.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!(ping(j, GATEWAY).succeeded() && ping(j, "10.77.0.62").succeeded()) && System.nanoTime() < deadline) {
            sleep(200);
        }
        assertPing(j, GATEWAY);
        assertPing(k, "10.77.0.61");
        assertThat(Await.result(driver.installer().diff(driver.node(), driver.localPods()), TIMEOUT, "diff").isEmpty())
                .isTrue();
        driver.detach(j.attachment(), Optional.of(j.path()));
        driver.detach(k.attachment(), Optional.of(k.path()));
    }

    // ------------------------------------------------------------------ helpers

    private record TestPod(String netns, PodAttachment attachment, PodInterfaceRequest request, CommandRunner runner) {
        Path path() {
            return Path.of("/var/run/netns", netns);
        }

        String exec(String... argv) {
            List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
            full.addAll(List.of(argv));
            return runner.run(full).stdoutOrThrow();
        }
    }

    private TestPod newPod(String name, String ip) {
        // <sandbox>p9N: the sandbox's cleanup (and its sweep of crashed runs) removes these too.
        String netns = sandbox.id() + "p" + podCount.getAndIncrement();
        runner.run(List.of("ip", "netns", "add", netns)).stdoutOrThrow();
        podNetns.add(netns);
        runner.run(List.of("ip", "-n", netns, "link", "set", "lo", "up")).stdoutOrThrow();
        PodAttachment attachment = new PodAttachment("c" + run + name, "eth0", new PodRef("ns-" + run, name));
        InetAddress gw = address(GATEWAY);
        PodInterfaceRequest request = new PodInterfaceRequest(attachment, Path.of("/var/run/netns", netns),
                List.of(new IpAddress(address(ip), 24, Optional.of(gw))),
                List.of(new Route(IpPrefix.parse("0.0.0.0/0"), Optional.of(gw))), MTU, Optional.empty());
        return new TestPod(netns, attachment, request, runner);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private void assertPing(TestPod from, String to) {
        CommandResult r = ping(from, to);
        assertThat(r.succeeded()).as("ping %s -> %s: %s %s", from.attachment().pod(), to, r.stdout(), r.stderr()).isTrue();
    }

    private void assertNoPing(TestPod from, String to) {
        CommandResult r = ping(from, to);
        assertThat(r.succeeded()).as("ping %s -> %s should fail: %s", from.attachment().pod(), to, r.stdout()).isFalse();
    }

    private CommandResult ping(TestPod from, String to) {
        return runner.run(List.of("ip", "netns", "exec", from.netns(), "ping", "-c", "2", "-i", "0.2", "-W", "2", to));
    }

    /** One external_ids value as ovs-vsctl prints it, without the quotes it adds around some strings. */
    private String externalId(String table, String record, String key) {
        String value = sandbox.vsctl("get", table, record, "external_ids:" + key).strip();
        return value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
    }

    private boolean linkExists(String netns, String name) {
        return runner.run(List.of("ip", "-n", netns, "link", "show", "dev", name)).succeeded();
    }

    private List<FlowLine> ownedFlowsOfPort(int ofport) {
        CookieScheme cookies = CookieScheme.DEFAULT;
        return Await.result(driver.installer().ownedFlows(), TIMEOUT, "dump flows").stream()
                .filter(f -> (f.cookie() & cookies.podMask()) == cookies.podValue(ofport)).toList();
    }

    /** A TCP server inside {@code server}'s namespace on {@code ip}, a client inside {@code client}'s; returns the reply. */
    private String tcpEcho(TestPod server, String ip, TestPod client) throws Exception {
        try (NetNamespace serverNs = NetNamespace.open(sys, server.path());
             NetNamespace clientNs = NetNamespace.open(sys, client.path())) {
            return tcpEcho(serverNs, ip, clientNs, client.attachment().pod().name() + "->" + server.attachment().pod().name());
        }
    }

    private String tcpEchoFromNode(TestPod client) throws Exception {
        try (NetNamespace nodeNs = NetNamespace.named(sys, sandbox.netns());
             NetNamespace clientNs = NetNamespace.open(sys, client.path())) {
            return tcpEcho(nodeNs, GATEWAY, clientNs, client.attachment().pod().name() + "->node");
        }
    }

    private String tcpEcho(NetNamespace serverNs, String ip, NetNamespace clientNs, String message) throws Exception {
        // A socket stays in the namespace it was created in, whichever thread uses it later.
        try (ServerSocket server = switcher.call(serverNs, () -> {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(address(ip), 0));
            return s;
        })) {
            server.setSoTimeout(5000);
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept();
                     BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                     PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
                    out.println("echo " + in.readLine());
                } catch (java.io.IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            });
            String reply = switcher.call(clientNs, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(address(ip), server.getLocalPort()), 5000);
                    s.setSoTimeout(5000);
                    PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                    out.println(message);
                    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                }
            });
            served.get(10, TimeUnit.SECONDS);
            return reply;
        }
    }
}
