package io.trellis.ovs.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.ovs.backend.NodeNetlink;
import io.trellis.ovs.backend.ServiceHostNetwork;
import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.client.OpenFlowClientConfig;
import io.trellis.ovs.openflow.match.MacAddress;
import io.trellis.ovs.pipeline.CookieScheme;
import io.trellis.ovs.pipeline.LocalPod;
import io.trellis.ovs.pipeline.NodeNetwork;
import io.trellis.ovs.pipeline.Pipeline;
import io.trellis.ovs.pipeline.PipelineFlows;
import io.trellis.ovs.pipeline.PipelineInstaller;
import io.trellis.ovs.testing.CommandResult;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.testing.Pod;
import io.trellis.ovs.transport.Backoff;
import io.trellis.ovs.transport.NettyTransport;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServicePort;
import io.trellis.spi.service.ServiceRef;
import io.trellis.spi.service.TrafficPolicy;
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
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Node ports, external and load-balancer IPs and both traffic policies on a real OVS (userspace
 * datapath), through real connections. The sandbox netns is node {@code node-a}: br-int
 * ({@code br0}, gateway {@code gw0} 10.20.0.1) with three endpoint pods, of which ep-c is reported
 * on {@code node-b} (so {@code Local} policies must skip it, and {@code Cluster} ones must SNAT for
 * it), and an in-cluster client pod; an uplink bridge {@code brx} (NORMAL switching, as br-ex in
 * netdev mode) whose internal port holds the node IP 192.168.77.1, with an outside client
 * (192.168.77.2) on it. The host side is {@link ServiceHostRules}' iptables and ip commands, run in
 * the node netns.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OvsServiceExternalAccessIntegrationTest {
    private static final String BRIDGE = "br0";
    private static final String UPLINK = "brx";
    private static final int GATEWAY_PORT = 1;
    private static final String GATEWAY_IP = "10.20.0.1";
    private static final String NODE_IP = "192.168.77.1";
    private static final String OUTSIDE_IP = "192.168.77.2";
    private static final String CLUSTER_IP = "10.96.0.10";
    private static final String EXTERNAL_IP = "192.0.2.10";
    private static final String LB_IP = "198.51.100.7";
    private static final int NODE_PORT = 30080;
    private static final int NODE_PORT_UDP = 30053;
    private static final ServiceRef WEB = new ServiceRef("default", "web");
    private static final OpenFlowClientConfig CONFIG = OpenFlowClientConfig.DEFAULT
            .withRequestTimeout(Duration.ofSeconds(10))
            .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), 2.0));

    private final PipelineFlows flows = new PipelineFlows(Pipeline.withServices(), CookieScheme.DEFAULT,
            PipelineFlows.DEFAULT_CT_ZONE);
    private NodeNetlink nodeNetlink;
    private ServiceHostNetwork hostNetwork;
    private OvsSandbox sandbox;
    private NettyTransport transport;
    private OpenFlowClient client;
    private PipelineInstaller installer;
    private OvsServiceProxy proxy;
    private String script;
    private MacAddress gatewayMac;
    private Pod clientPod;
    private Pod outside;
    private final Map<String, Pod> endpoints = new TreeMap<>();
    private final List<Process> servers = new ArrayList<>();

    @BeforeAll
    void up() throws IOException {
        sandbox = OvsSandbox.start();
        try {
            sandbox.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1", "net.ipv4.ip_forward=1");
            sandbox.addBridge(BRIDGE);
            sandbox.vsctl("set-fail-mode", BRIDGE, "secure");
            sandbox.vsctl("add-port", BRIDGE, "gw0", "--", "set", "interface", "gw0", "type=internal",
                    "ofport_request=" + GATEWAY_PORT);
            sandbox.exec("ip", "addr", "add", GATEWAY_IP + "/24", "dev", "gw0");
            sandbox.exec("ip", "link", "set", "gw0", "up");
            gatewayMac = MacAddress.parse(sandbox.exec("cat", "/sys/class/net/gw0/address").strip());
            NodeNetwork node = new NodeNetwork(GATEWAY_PORT, io.trellis.ovs.pipeline.Ipv4Subnet.parseAddress(GATEWAY_IP),
                    gatewayMac, io.trellis.ovs.pipeline.Ipv4Subnet.parse("10.20.0.0/24"));

            // The uplink bridge holding the node IP, with a client outside the cluster on it.
            sandbox.addBridge(UPLINK);
            sandbox.exec("ip", "addr", "add", NODE_IP + "/24", "dev", UPLINK);
            sandbox.exec("ip", "link", "set", UPLINK, "up");
            outside = sandbox.addPod(UPLINK, OUTSIDE_IP + "/24", 2);
            sandbox.execIn(outside.netns(), "ip", "route", "add", "192.0.2.0/24", "via", NODE_IP);
            sandbox.execIn(outside.netns(), "ip", "route", "add", "198.51.100.0/24", "via", NODE_IP);
            for (String dev : List.of("gw0", UPLINK)) {
                sandbox.exec("ethtool", "-K", dev, "tx", "off");
            }

            Path scriptFile = sandbox.runDir().resolve("svctool.py");
            try (InputStream in = getClass().getResourceAsStream("svctool.py")) {
                assertThat(in).as("test resource svctool.py").isNotNull();
                Files.write(scriptFile, in.readAllBytes());
            }
            script = scriptFile.toString();

            List<LocalPod> pods = new ArrayList<>();
            int n = 11;
            for (String name : List.of("ep-a", "ep-b", "ep-c")) {
                Pod pod = sandbox.addPod(BRIDGE, "10.20.0." + n + "/24", n);
                endpoints.put(name, pod);
                pods.add(LocalPod.of("default/" + name, n, pod.ipv4(), pod.mac()));
                n++;
            }
            clientPod = sandbox.addPod(BRIDGE, "10.20.0.20/24", 20);
            pods.add(LocalPod.of("default/client", 20, clientPod.ipv4(), clientPod.mac()));
            for (Pod p : sandbox.pods()) {
                if (!p.equals(outside)) {
                    sandbox.execIn(p.netns(), "ip", "route", "add", "default", "via", GATEWAY_IP);
                }
            }
            endpoints.forEach((name, pod) -> servers.add(server(pod, name)));

            sandbox.ofctl(BRIDGE, "del-flows");
            transport = new NettyTransport(1, "it-service-external");
            client = new OpenFlowClient(transport, sandbox.bridgeEndpoint(BRIDGE), CONFIG);
            await(client.connect());
            installer = new PipelineInstaller(client, flows);
            Syscalls sys = Syscalls.system();
            nodeNetlink = NodeNetlink.in(sys, NetNamespace.named(sys, sandbox.netns()));
            hostNetwork = ServiceHostNetwork.inNode(nodeNetlink, "gw0", Duration.ofSeconds(10));
            // The wiring the agent uses: the proxy applies the host side at the end of replaceAll.
            proxy = OvsServiceProxy.sharing(installer, Duration.ofSeconds(10), Optional.of("node-a"), hostNetwork);
            await(installer.install(node, pods));
            proxy.replaceAll(List.of());
            // Resolve the neighbours once (outside client <-> node, pods -> gateway): a SYN lost to ARP
            // is retransmitted after 1 s, the clients' timeout, and these tests are not about ARP.
            sandbox.execIn(outside.netns(), "ping", "-c", "1", "-W", "2", NODE_IP);
            sandbox.exec("ping", "-c", "1", "-W", "2", OUTSIDE_IP);
            for (Pod p : sandbox.pods()) {
                if (!p.equals(outside)) {
                    sandbox.execIn(p.netns(), "ping", "-c", "1", "-W", "2", GATEWAY_IP);
                }
            }
            // The node netns is fresh: FORWARD drops, so the forwarded Service traffic must be let
            // through by the proxy's own filter chain.
            sandbox.exec("iptables", "-w", "-P", "FORWARD", "DROP");
        } catch (RuntimeException | IOException | AssertionError e) {
            down();
            throw e;
        }
    }

    @AfterAll
    void down() {
        try {
            servers.forEach(OvsServiceExternalAccessIntegrationTest::stop);
            if (proxy != null) {
                proxy.rejector().ifPresent(ServiceRejector::close);
                proxy.invalidResetRecovery().ifPresent(InvalidResetRecovery::close);
                proxy.closeHostUpdates();
            }
            if (nodeNetlink != null) {
                nodeNetlink.close();
            }
            if (client != null) {
                client.close();
            }
            if (transport != null) {
                transport.close();
            }
        } finally {
            if (sandbox != null) {
                sandbox.close();   // the node netns goes, and its iptables rules and routes with it
            }
        }
    }

    // ------------------------------------------------------------------ node ports

    @Test
    void nodePortWithClusterPolicyReachesEveryEndpointMasqueradedToTheGateway() {
        install(web(TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER));
        List<String> answers = who(outside, NODE_IP, NODE_PORT, 40);
        assertThat(names(answers)).as("from outside via the node port: %s", answers)
                .containsExactlyInAnyOrder("ep-a", "ep-b", "ep-c");
        assertThat(clients(answers)).as("the endpoints see the gateway (SNAT)").containsExactly(GATEWAY_IP);
        assertThat(distinct(lines(outside, "udp", NODE_IP, NODE_PORT_UDP, 20))).as("UDP via the node port")
                .containsExactlyInAnyOrder("ep-a 5353", "ep-b 5353", "ep-c 5353");
        // The node itself reaches its node port (nat OUTPUT).
        assertThat(names(who(null, NODE_IP, NODE_PORT, 20))).as("from the node").hasSizeGreaterThan(1)
                .isSubsetOf("ep-a", "ep-b", "ep-c");
    }

    @Test
    void nodePortWithLocalPolicyKeepsTheClientAndThisNodesEndpoints() {
        install(web(TrafficPolicy.LOCAL, TrafficPolicy.CLUSTER));
        List<String> answers = who(outside, NODE_IP, NODE_PORT, 40);
        assertThat(names(answers)).as("only node-a's endpoints: %s", answers).containsExactlyInAnyOrder("ep-a", "ep-b");
        assertThat(clients(answers)).as("the client's own address").containsExactly(OUTSIDE_IP);
        assertThat(distinct(lines(outside, "udp", NODE_IP, NODE_PORT_UDP, 20)))
                .containsExactlyInAnyOrder("ep-a 5353", "ep-b 5353");
    }

    // ------------------------------------------------------------------ external and load-balancer IPs

    @Test
    void externalAndLoadBalancerIpsWorkLikeTheClusterIp() {
        install(web(TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER));
        for (String ip : List.of(EXTERNAL_IP, LB_IP)) {
            List<String> answers = who(outside, ip, 80, 40);
            assertThat(names(answers)).as("%s from outside: %s", ip, answers)
                    .containsExactlyInAnyOrder("ep-a", "ep-b", "ep-c");
            assertThat(clients(answers)).as("%s: SNAT to the gateway", ip).containsExactly(GATEWAY_IP);
            assertThat(names(who(clientPod, ip, 80, 30))).as("%s from a pod", ip)
                    .containsExactlyInAnyOrder("ep-a", "ep-b", "ep-c");
        }
        // Another port of an external IP is not the Service's: not answered by it (nothing listens
        // on 192.0.2.10 here, so the attempt fails), and not dropped as a cluster IP's would be.
        assertThat(flowsMentioning(EXTERNAL_IP)).noneMatch(l -> l.contains("actions=drop"));
    }

    @Test
    void externalLocalPolicyKeepsOutsideClientsOnThisNodeWhilePodsReachEveryEndpoint() {
        install(web(TrafficPolicy.LOCAL, TrafficPolicy.CLUSTER));
        for (String ip : List.of(EXTERNAL_IP, LB_IP)) {
            List<String> answers = who(outside, ip, 80, 40);
            assertThat(names(answers)).as("%s from outside: %s", ip, answers).containsExactlyInAnyOrder("ep-a", "ep-b");
            assertThat(clients(answers)).as("%s: client address kept", ip).containsExactly(OUTSIDE_IP);
            List<String> fromPod = who(clientPod, ip, 80, 40);
            assertThat(names(fromPod)).as("%s from a pod", ip).containsExactlyInAnyOrder("ep-a", "ep-b", "ep-c");
            assertThat(clients(fromPod)).containsExactly(clientPod.ipv4());
        }
    }

    // ------------------------------------------------------------------ internal traffic policy

    @Test
    void internalLocalPolicyLimitsPodsToThisNodesEndpointsOnTheClusterIp() {
        install(web(TrafficPolicy.CLUSTER, TrafficPolicy.LOCAL));
        assertThat(names(who(clientPod, CLUSTER_IP, 80, 40))).containsExactlyInAnyOrder("ep-a", "ep-b");
        // External traffic still reaches every endpoint.
        assertThat(names(who(outside, NODE_IP, NODE_PORT, 40))).containsExactlyInAnyOrder("ep-a", "ep-b", "ep-c");

        install(web(TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER));
        assertThat(names(who(clientPod, CLUSTER_IP, 80, 40))).containsExactlyInAnyOrder("ep-a", "ep-b", "ep-c");
    }

    // ------------------------------------------------------------------ host network, clean-up

    @Test
    void theNodeReachesTheClusterIpFromItsGatewayAddress() {
        install(web(TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER));
        List<String> answers = who(null, CLUSTER_IP, 80, 40);
        assertThat(names(answers)).as("from the node's own netns: %s", answers)
                .containsExactlyInAnyOrder("ep-a", "ep-b", "ep-c");
        assertThat(clients(answers)).as("the route's source is the gateway IP").containsExactly(GATEWAY_IP);
        assertThat(distinct(lines(null, "udp", CLUSTER_IP, 53, 20))).as("UDP from the node")
                .containsExactlyInAnyOrder("ep-a 5353", "ep-b 5353", "ep-c 5353");
    }

    @Test
    void droppedAddressesLoseTheirRoutesAndRulesAndUninstallRemovesAll() {
        install(web(TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER));
        install(web(TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER));
        assertThat(serviceRoutes()).as("one route per address").containsExactlyInAnyOrder(
                "169.254.0.253 dev gw0 scope link src " + GATEWAY_IP,
                "169.254.0.254 dev gw0 scope link src " + GATEWAY_IP,
                EXTERNAL_IP + " via 169.254.0.253 dev gw0 src " + GATEWAY_IP + " onlink",
                LB_IP + " via 169.254.0.253 dev gw0 src " + GATEWAY_IP + " onlink",
                CLUSTER_IP + " via 169.254.0.253 dev gw0 src " + GATEWAY_IP + " onlink");
        String nat = save("nat");
        assertThat(nat.lines().filter(l -> l.equals("-A PREROUTING -j TRELLIS-SERVICES"))).as("jump added once: %s", nat)
                .hasSize(1);
        assertThat(nat).contains("-d " + EXTERNAL_IP + "/32");

        // The external and LB IPs dropped: their routes and rules go, the cluster IP's route stays.
        install(web(TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER).withExternalAccess(List.of(), List.of(),
                TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER));
        assertThat(serviceRoutes()).noneMatch(r -> r.startsWith(EXTERNAL_IP) || r.startsWith(LB_IP))
                .anyMatch(r -> r.startsWith(CLUSTER_IP + " "));
        assertThat(save("nat")).doesNotContain(EXTERNAL_IP).contains("--dport " + NODE_PORT);
        assertThat(save("filter")).doesNotContain(EXTERNAL_IP).contains("-A FORWARD -j TRELLIS-SVC-FWD");

        hostNetwork.uninstall();
        assertThat(serviceRoutes()).isEmpty();
        assertThat(save("nat") + save("filter")).doesNotContain("TRELLIS-SERVICES", "TRELLIS-SVC-MASQ",
                "TRELLIS-SVC-FWD");
        hostNetwork.uninstall(); // nothing left: fine

        // The next replaceAll puts everything back, jumps included.
        install(web(TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER));
        assertThat(serviceRoutes()).hasSize(5);
        assertThat(names(who(outside, NODE_IP, NODE_PORT, 20))).hasSizeGreaterThan(1);
    }

    /** The routes the proxy added (protocol 0x75), as {@code ip route} prints them without the protocol. */
    private List<String> serviceRoutes() {
        return sandbox.execResult(sandbox.netns(), List.of("ip", "route", "show", "proto", "117")).stdout().lines()
                .map(String::strip).toList();
    }

    private String save(String table) {
        return sandbox.execResult(sandbox.netns(), List.of("iptables-save", "-t", table)).stdout();
    }

    // ------------------------------------------------------------------ model

    /** ep-a and ep-b on node-a (this node), ep-c on node-b; TCP 80 (node port 30080), UDP 53 (30053). */
    private Service web(TrafficPolicy external, TrafficPolicy internal) {
        List<ServiceEndpoint> eps = new ArrayList<>();
        endpoints.forEach((name, pod) -> eps.add(new ServiceEndpoint(address(pod.ipv4()),
                List.of(new EndpointPort("http", Protocol.TCP, 8080), new EndpointPort("dns", Protocol.UDP, 5353)),
                true, Optional.of(name.equals("ep-c") ? "node-b" : "node-a"))));
        return new Service(WEB, List.of(address(CLUSTER_IP)),
                List.of(new ServicePort("http", Protocol.TCP, 80, OptionalInt.of(NODE_PORT)),
                        new ServicePort("dns", Protocol.UDP, 53, OptionalInt.of(NODE_PORT_UDP))),
                eps, Optional.empty(), List.of(address(EXTERNAL_IP)), List.of(address(LB_IP)), external, internal);
    }

    /** The proxy's flows and host rules for this one Service, as the agent installs them (replaceAll applies both). */
    private void install(Service service) {
        proxy.replaceAll(List.of(service));
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    // ------------------------------------------------------------------ traffic

    private Process server(Pod pod, String name) {
        Process p = sandbox.spawn(pod.netns(), List.of("python3", script, "serve", name, pod.ipv4(), "8080", "5353"));
        try {
            assertThat(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine())
                    .as("server %s started", name).isEqualTo("ready");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** {@code count} TCP connections answered "NAME PORT CLIENT-IP", none failing; from == null: the node. */
    private List<String> who(Pod from, String ip, int port, int count) {
        List<String> lines = lines(from, "who", ip, port, count);
        assertThat(lines).as("who %s:%d: %s; %s", ip, port, lines, debug()).noneMatch(l -> l.startsWith("failed"));
        return lines;
    }

    private List<String> lines(Pod from, String mode, String ip, int port, int count) {
        String netns = from == null ? sandbox.netns() : from.netns();
        CommandResult r = sandbox.execResult(netns, List.of("python3", script, mode, ip, Integer.toString(port),
                Integer.toString(count)));
        assertThat(r.exitCode()).as("%s %s:%d: %s", mode, ip, port, r).isZero();
        List<String> lines = r.stdout().lines().toList();
        assertThat(lines).as("%s %s:%d answers", mode, ip, port).hasSize(count);
        return lines;
    }

    private static Set<String> names(List<String> answers) {
        return answers.stream().map(l -> l.split(" ")[0]).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> clients(List<String> answers) {
        return answers.stream().map(l -> l.split(" ")[2]).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> distinct(List<String> answers) {
        assertThat(answers).noneMatch(l -> l.startsWith("failed"));
        return new TreeSet<>(answers);
    }

    private List<String> flowsMentioning(String ip) {
        return sandbox.ofctl(BRIDGE, "dump-flows").lines().filter(l -> l.contains(ip)).toList();
    }

    private String debug() {
        return sandbox.ofctl(BRIDGE, "dump-flows", "table=5") + "\n"
                + sandbox.execResult(sandbox.netns(), List.of("iptables-save", "-t", "nat")).stdout() + "\n"
                + sandbox.execResult(sandbox.netns(), List.of("ip", "route")).stdout();
    }

    private static void stop(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
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
            throw new AssertionError(e);
        }
    }
}
