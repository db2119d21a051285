package io.trellis.ovs.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.ovs.ovsdb.DatapathType;
import io.trellis.ovs.pipeline.Ipv4Subnet;
import io.trellis.ovs.testing.CommandResult;
import io.trellis.ovs.testing.CommandRunner;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.spi.model.IpAddress;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Route;
import io.trellis.spi.pod.PodInterfaceRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Pod egress through the gateway with masquerade, on a real OVS (userspace datapath): the
 * sandbox's namespace is the node, whose firewall drops forwarded traffic by default (FORWARD policy
 * DROP, as Docker leaves it); an "internet" namespace hangs off the node by a veth in the benchmark
 * range 198.18.0.0/30 and has no route back to the pod CIDR, so a pod reaches it only when the node
 * forwards and rewrites the pod's source to its own address.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // uninstall last: its re-install must not hide a missing first one
class NodeMasqueradeIntegrationTest {

    private static final Ipv4Subnet POD_CIDR = Ipv4Subnet.parse("10.78.0.0/24");
    private static final String GATEWAY = "10.78.0.1";
    private static final String POD_IP = "10.78.0.11";
    private static final String NODE_UPLINK_IP = "198.18.0.1";
    private static final String INTERNET_IP = "198.18.0.2";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern COUNTERS = Pattern.compile("\\[\\d+:\\d+]");

    private final Syscalls sys = Syscalls.system();
    private final NamespaceSwitcher switcher = new NamespaceSwitcher(sys);
    private final CommandRunner runner = new CommandRunner(Map.of(), Duration.ofSeconds(30));
    private OvsSandbox sandbox;
    private OvsSettings settings;
    private OvsPodInterfaceDriver driver;
    private String internet;
    private String pod;
    private String hostForwardingBefore;

    @BeforeAll
    void startNode() throws IOException {
        hostForwardingBefore = Files.readString(NodeMasquerade.IPV4_FORWARD);
        sandbox = OvsSandbox.start();
        // <sandbox>pN: the sandbox's cleanup (and its sweep of crashed runs) removes these namespaces too.
        internet = sandbox.id() + "p70";
        pod = sandbox.id() + "p71";
        run("ip", "netns", "add", internet);
        run("ip", "-n", internet, "link", "set", "lo", "up");
        sandbox.exec("ip", "link", "add", "uplink0", "type", "veth", "peer", "name", "eth0", "netns", internet);
        sandbox.exec("ip", "addr", "add", NODE_UPLINK_IP + "/30", "dev", "uplink0");
        sandbox.exec("ip", "link", "set", "uplink0", "up");
        run("ip", "-n", internet, "addr", "add", INTERNET_IP + "/30", "dev", "eth0");
        run("ip", "-n", internet, "link", "set", "eth0", "up");
        sandbox.exec("iptables", "-P", "FORWARD", "DROP");

        settings = new OvsSettings(DatapathType.NETDEV, "br-int", "br-ex", sandbox.dbSocket(), sandbox.runDir(),
                Optional.empty(), Optional.empty());
        driver = startDriver();

        run("ip", "netns", "add", pod);
        run("ip", "-n", pod, "link", "set", "lo", "up");
        driver.attach(podRequest());
    }

    @AfterAll
    void stopNode() {
        try {
            if (driver != null) {
                driver.close();
            }
        } finally {
            sandbox.close();
        }
    }

    @Test
    @Order(1)
    void podReachesTheInternetAsTheNode() throws Exception {
        assertThat(nodeForwarding()).isEqualTo("1");
        assertThat(Files.readString(NodeMasquerade.IPV4_FORWARD)).as("forwarding of the test's own namespace")
                .isEqualTo(hostForwardingBefore);
        // Without the node's address as source, replies would have nowhere to go.
        assertThat(runner.run(List.of("ip", "-n", internet, "route", "get", POD_IP)).succeeded()).isFalse();

        assertPing(INTERNET_IP);
        TcpExchange exchange = tcpToInternet("hello from the pod");
        assertThat(exchange.peerSeenByServer()).isEqualTo(NODE_UPLINK_IP);
        assertThat(exchange.reply()).isEqualTo("seen hello from the pod");
    }

    @Test
    @Order(2)
    void theNodeKernelNeverAnswersOrRoutesForThePodPort() {
        // The node forwards (ip_forward=1) and the gateway IP is local: without the pod port's sysctls the
        // kernel would answer the pod's ARP with the veth's MAC and route each frame a second time.
        String host = sandbox.vsctl("list-ports", "br-int").lines()
                .filter(p -> !p.equals(OvsNodeSetup.GATEWAY_PORT)).findFirst().orElseThrow();
        assertThat(sandbox.exec("cat", "/proc/sys/net/ipv4/conf/" + host + "/arp_ignore").strip()).isEqualTo("8");
        assertThat(sandbox.exec("cat", "/proc/sys/net/ipv4/conf/" + host + "/forwarding").strip()).isEqualTo("0");
        String gatewayMac = sandbox.exec("cat", "/sys/class/net/" + OvsNodeSetup.GATEWAY_PORT + "/address").strip();
        for (int round = 0; round < 3; round++) {
            run("ip", "-n", pod, "neigh", "flush", "dev", "eth0");
            CommandResult ping = ping(INTERNET_IP);
            assertThat(ping.succeeded()).as("%s", ping).isTrue();
            assertThat(ping.stdout()).doesNotContain("DUP!");
            assertThat(runner.run(List.of("ip", "-n", pod, "neigh", "show", GATEWAY)).stdout())
                    .contains("lladdr " + gatewayMac);
        }
    }

    @Test
    @Order(3)
    void rerunningSetupAndRestartingTheAgentChangeNoRule() {
        String before = nodeRules();
        assertThat(before).contains(":TRELLIS-POSTROUTING", ":TRELLIS-FORWARD",
                "-A TRELLIS-POSTROUTING -s 10.78.0.0/24 -m comment --comment \"trellis: pod egress\" -j MASQUERADE");
        assertThat(count(before, "-j TRELLIS-POSTROUTING")).isEqualTo(1);
        assertThat(count(before, "-j TRELLIS-FORWARD")).isEqualTo(1);

        driver.resync();
        assertThat(nodeRules()).isEqualTo(before);

        // A stopped agent leaves the rules: pods keep their egress while it is away.
        driver.close();
        driver = null;
        assertThat(nodeRules()).isEqualTo(before);
        assertPing(INTERNET_IP);
        driver = startDriver();
        assertThat(nodeRules()).isEqualTo(before);
        assertPing(INTERNET_IP);
    }

    @Test
    @Order(4)
    void uninstallLeavesNoTrellisChainAndEgressStops() throws Exception {
        try (NodeNetlink node = NodeNetlink.in(sys, NetNamespace.named(sys, sandbox.netns()))) {
            NodeMasquerade masquerade = NodeMasquerade.inNode(node, TIMEOUT);
            masquerade.uninstall();
            String after = sandbox.exec("iptables-save");
            assertThat(after).doesNotContain("TRELLIS");
            assertThat(after).contains(":FORWARD DROP"); // the node's own policy is not ours to change
            assertNoPing(INTERNET_IP);
            masquerade.uninstall();
            assertThat(sandbox.exec("iptables-save")).doesNotContain("TRELLIS");

            // Node setup again (as at the next agent start) brings egress back.
            driver.resync();
            assertPing(INTERNET_IP);
            assertThat(tcpToInternet("again").peerSeenByServer()).isEqualTo(NODE_UPLINK_IP);
        }
    }

    // ------------------------------------------------------------------ helpers

    private OvsPodInterfaceDriver startDriver() {
        NodeNetlink node = NodeNetlink.in(sys, NetNamespace.named(sys, sandbox.netns()));
        return OvsPodInterfaceDriver.start(settings, POD_CIDR, node, TIMEOUT);
    }

    private PodInterfaceRequest podRequest() {
        InetAddress gw = address(GATEWAY);
        return new PodInterfaceRequest(new PodAttachment("cmasq" + sandbox.id(), "eth0", new PodRef("egress", "web")),
                Path.of("/var/run/netns", pod), List.of(new IpAddress(address(POD_IP), 24, Optional.of(gw))),
                List.of(new Route(IpPrefix.parse("0.0.0.0/0"), Optional.of(gw))), 1450, Optional.empty());
    }

    /** The node's iptables-save output without comments and packet counters, which change with traffic. */
    private String nodeRules() {
        StringBuilder out = new StringBuilder();
        for (String line : sandbox.exec("iptables-save").split("\n")) {
            if (!line.startsWith("#")) {
                out.append(COUNTERS.matcher(line).replaceAll("[0:0]")).append('\n');
            }
        }
        return out.toString();
    }

    private String nodeForwarding() {
        return sandbox.exec("cat", "/proc/sys/net/ipv4/ip_forward").strip();
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private record TcpExchange(String peerSeenByServer, String reply) {
    }

    /** A TCP server inside the internet namespace records its peer's address; the pod connects to it. */
    private TcpExchange tcpToInternet(String message) throws Exception {
        try (NetNamespace internetNs = NetNamespace.named(sys, internet);
             NetNamespace podNs = NetNamespace.named(sys, pod);
             ServerSocket server = switcher.call(internetNs, () -> {
                 ServerSocket s = new ServerSocket();
                 s.bind(new InetSocketAddress(address(INTERNET_IP), 0));
                 return s;
             })) {
            server.setSoTimeout(5000);
            CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept();
                     BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                     PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
                    out.println("seen " + in.readLine());
                    return s.getInetAddress().getHostAddress();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            String reply = switcher.call(podNs, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(address(INTERNET_IP), server.getLocalPort()), 5000);
                    s.setSoTimeout(5000);
                    new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8).println(message);
                    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                }
            });
            return new TcpExchange(peer.get(10, TimeUnit.SECONDS), reply);
        }
    }

    private void assertPing(String to) {
        CommandResult r = ping(to);
        assertThat(r.succeeded()).as("ping pod -> %s: %s %s", to, r.stdout(), r.stderr()).isTrue();
    }

    private void assertNoPing(String to) {
        CommandResult r = ping(to);
        assertThat(r.succeeded()).as("ping pod -> %s should fail: %s", to, r.stdout()).isFalse();
    }

    private CommandResult ping(String to) {
        return runner.run(List.of("ip", "netns", "exec", pod, "ping", "-c", "2", "-i", "0.2", "-W", "2", to));
    }

    private void run(String... argv) {
        runner.run(List.of(argv)).stdoutOrThrow();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
