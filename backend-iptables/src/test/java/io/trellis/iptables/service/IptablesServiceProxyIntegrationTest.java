package io.trellis.iptables.service;

import static io.trellis.iptables.service.Fixtures.ip;
import static io.trellis.iptables.service.TestNamespaces.sh;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.ClientIpAffinity;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServicePort;
import io.trellis.spi.service.ServiceRef;
import io.trellis.spi.service.TrafficPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The proxy against the real kernel: a "node" namespace with a Linux bridge (10.244.1.1/24) and
 * four pod namespaces on it (endpoints ep-a .11, ep-b .12 on node-a, ep-c .13 reported on node-b,
 * a client .20), each endpoint running a small TCP (8080) / UDP (5353) server answering its name
 * and the address it saw, and an "outside" namespace on an uplink (node 192.168.90.1, outside
 * .2). Pod traffic is bridged, so br_netfilter (bridge-nf-call-iptables) must be on in the node
 * namespace, and the pod ports are in hairpin mode (the linux-bridge driver's job). Needs root, iproute2, iptables, conntrack and python3; fails without them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IptablesServiceProxyIntegrationTest {

    private static final String CLUSTER_IP = "10.96.0.10";
    private static final String NODE_IP = "192.168.90.1";
    private static final String OUTSIDE_IP = "192.168.90.2";
    private static final String GATEWAY = "10.244.1.1";
    private static final Map<String, String> PODS = Map.of("ep-a", "10.244.1.11", "ep-b", "10.244.1.12",
            "ep-c", "10.244.1.13", "client", "10.244.1.20");

    private TestNamespaces namespaces;
    private String node;
    private String outside;
    private final Map<String, String> netns = new java.util.HashMap<>();
    private Path scripts;
    private IptablesServiceProxy proxy;

    @BeforeAll
    void buildTopology() throws IOException {
        scripts = Files.createTempDirectory("trellis-iptables-service-test");
        copy("echo_server.py");
        copy("probe_client.py");
        namespaces = new TestNamespaces();
        try {
            node = namespaces.create("node");
            sh("ip -n " + node + " link add br0 type bridge");
            sh("ip -n " + node + " addr add " + GATEWAY + "/24 dev br0");
            sh("ip -n " + node + " link set br0 up");
            sh("ip netns exec " + node + " sysctl -qw net.ipv4.ip_forward=1");
            int i = 0;
            for (String pod : List.of("ep-a", "ep-b", "ep-c", "client")) {
                String ns = namespaces.create(pod);
                netns.put(pod, ns);
                String host = namespaces.prefix() + "v" + i++;
                sh("ip -n " + node + " link add " + host + " type veth peer name eth0 netns " + ns);
                sh("ip -n " + node + " link set " + host + " master br0 up");
                // As the linux-bridge pod interface driver does: with br_netfilter a hairpin connection's
                // DNATed frame is bridged back out of the port it came in on.
                sh("ip -n " + node + " link set " + host + " type bridge_slave hairpin on");
                sh("ip -n " + ns + " addr add " + PODS.get(pod) + "/24 dev eth0");
                sh("ip -n " + ns + " link set eth0 up");
                sh("ip -n " + ns + " route add default via " + GATEWAY);
            }
            outside = namespaces.create("out");
            sh("ip -n " + node + " link add uplink type veth peer name eth0 netns " + outside);
            sh("ip -n " + node + " addr add " + NODE_IP + "/24 dev uplink");
            sh("ip -n " + node + " link set uplink up");
            sh("ip -n " + outside + " addr add " + OUTSIDE_IP + "/24 dev eth0");
            sh("ip -n " + outside + " link set eth0 up");
            sh("ip -n " + outside + " route add 192.0.2.0/24 via " + NODE_IP);
            // The node's own connections to cluster IPs need a route before the OUTPUT DNAT.
            sh("ip -n " + node + " route add default via " + OUTSIDE_IP);
            for (String pod : List.of("ep-a", "ep-b", "ep-c")) {
                namespaces.background(netns.get(pod), "python3", scripts.resolve("echo_server.py").toString(), pod);
            }
            for (String pod : List.of("ep-a", "ep-b", "ep-c")) {
                awaitServer(PODS.get(pod));
            }
        } catch (RuntimeException | Error e) {
            tearDownTopology();
            throw e;
        }
    }

    @AfterAll
    void tearDownTopology() throws IOException {
        if (namespaces != null) {
            namespaces.close();
            namespaces = null;
        }
        if (scripts != null) {
            try (Stream<Path> files = Files.walk(scripts)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @BeforeEach
    void startProxy() {
        proxy = new IptablesServiceProxy(Fixtures.generator(), namespaces.commands(node), Duration.ofMillis(100),
                Duration.ofSeconds(1));
        sh("ip netns exec " + node + " conntrack -F");
    }

    @AfterEach
    void stopProxy() {
        proxy.replaceAll(List.of());
        proxy.close();
    }

    @Test
    void brNetfilterIsOnInTheNodeNamespace() {
        assertThat(sh("ip netns exec " + node + " sysctl -n net.bridge.bridge-nf-call-iptables").strip()).isEqualTo("1");
    }

    @Test
    void clusterIpSpreadsTcpAndUdpOverEveryEndpoint() {
        proxy.replaceAll(List.of(web(all(), Optional.empty())));

        Map<String, Long> tcp = names(probe("client", "tcp", CLUSTER_IP, 80, 150));
        assertThat(tcp.keySet()).containsExactlyInAnyOrder("ep-a", "ep-b", "ep-c");
        assertThat(tcp.values()).allSatisfy(n -> assertThat(n).isBetween(20L, 90L));
        Map<String, Long> udp = names(probe("client", "udp", CLUSTER_IP, 53, 90));
        assertThat(udp.keySet()).containsExactlyInAnyOrder("ep-a", "ep-b", "ep-c");
        // The client is a local pod: not masqueraded, the endpoint sees its address.
        assertThat(probe("client", "tcp", CLUSTER_IP, 80, 1).get(0)).endsWith(" " + PODS.get("client"));
        // The node itself (host network, nat OUTPUT): masqueraded to its address on the bridge.
        List<String> fromNode = probeFrom(node, "tcp", CLUSTER_IP, 80, 30);
        assertThat(names(fromNode).keySet()).containsExactlyInAnyOrder("ep-a", "ep-b", "ep-c");
        assertThat(fromNode).allSatisfy(line -> assertThat(line).endsWith(" " + GATEWAY));
    }

    @Test
    void removedEndpointGetsNoNewConnectionsAfterABatchedUpsert() throws InterruptedException {
        proxy.replaceAll(List.of(web(all(), Optional.empty())));
        assertThat(names(probe("client", "tcp", CLUSTER_IP, 80, 60)).keySet()).contains("ep-c");

        proxy.upsert(web(List.of(endpoint("ep-a", "node-a"), endpoint("ep-b", "node-a")), Optional.empty()));
        Thread.sleep(1000); // the batch delay is 100 ms; the issue allows 2 s

        assertThat(names(probe("client", "tcp", CLUSTER_IP, 80, 60)).keySet()).containsExactlyInAnyOrder("ep-a", "ep-b");
    }

    @Test
    void noEndpointsRejectsTcpWithResetAndUdpWithIcmp() {
        proxy.replaceAll(List.of(web(List.of(), Optional.empty())));

        assertThat(probe("client", "tcp", CLUSTER_IP, 80, 3)).containsOnly("ERR refused");
        assertThat(probe("client", "udp", CLUSTER_IP, 53, 3)).containsOnly("ERR refused");
        // From the node itself too (filter OUTPUT).
        assertThat(probeFrom(node, "tcp", CLUSTER_IP, 80, 2)).containsOnly("ERR refused");
    }

    @Test
    void clientIpAffinityPinsTheClientToOneEndpoint() throws InterruptedException {
        Optional<ClientIpAffinity> affinity = Optional.of(new ClientIpAffinity(60));
        proxy.replaceAll(List.of(web(List.of(endpoint("ep-a", "node-a"), endpoint("ep-b", "node-a")), affinity)));

        probe("client", "tcp", CLUSTER_IP, 80, 1); // the first connection records the endpoint
        Map<String, Long> tcp = names(probe("client", "tcp", CLUSTER_IP, 80, 30));
        assertThat(tcp).hasSize(1);
        // An added endpoint rewrites the Service's chain; the recent lists, and so the affinity, stay.
        proxy.upsert(web(all(), affinity));
        Thread.sleep(1000);
        assertThat(names(probe("client", "tcp", CLUSTER_IP, 80, 30))).isEqualTo(Map.of(tcp.keySet().iterator().next(), 30L));
        // Without affinity the same client spreads again.
        proxy.replaceAll(List.of(web(all(), Optional.empty())));
        assertThat(names(probe("client", "tcp", CLUSTER_IP, 80, 60))).hasSizeGreaterThan(1);
    }

    @Test
    void nodePortFromOutsideWithClusterAndLocalPolicies() {
        Service cluster = web(all(), Optional.empty()).withExternalAccess(List.of(ip("192.0.2.10")), List.of(),
                TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER);
        proxy.replaceAll(List.of(withNodePort(cluster)));

        List<String> viaNodePort = probeFrom(outside, "tcp", NODE_IP, 30080, 60);
        assertThat(names(viaNodePort).keySet()).containsExactlyInAnyOrder("ep-a", "ep-b", "ep-c");
        // Cluster: masqueraded to the node's address on the bridge, so replies come back through it.
        assertThat(viaNodePort).allSatisfy(line -> assertThat(line).endsWith(" " + GATEWAY));
        assertThat(names(probeFrom(outside, "udp", NODE_IP, 30053, 30)).keySet()).containsExactlyInAnyOrder("ep-a", "ep-b",
                "ep-c");
        assertThat(names(probeFrom(outside, "tcp", "192.0.2.10", 80, 30)).keySet()).containsExactlyInAnyOrder("ep-a",
                "ep-b", "ep-c");

        Service local = web(all(), Optional.empty()).withExternalAccess(List.of(ip("192.0.2.10")), List.of(),
                TrafficPolicy.LOCAL, TrafficPolicy.CLUSTER);
        proxy.replaceAll(List.of(withNodePort(local)));
        List<String> localOnly = probeFrom(outside, "tcp", NODE_IP, 30080, 40);
        assertThat(names(localOnly).keySet()).containsExactlyInAnyOrder("ep-a", "ep-b");
        // Local: the endpoint sees the outside client's own address.
        assertThat(localOnly).allSatisfy(line -> assertThat(line).endsWith(" " + OUTSIDE_IP));
        // A pod going to the external IP reaches every endpoint (short-circuit to the cluster chain).
        assertThat(names(probe("client", "tcp", "192.0.2.10", 80, 60)).keySet()).containsExactlyInAnyOrder("ep-a", "ep-b",
                "ep-c");
    }

    @Test
    void internalTrafficPolicyLocalUsesOnlyThisNodesEndpoints() {
        proxy.replaceAll(List.of(web(all(), Optional.empty()).withExternalAccess(List.of(), List.of(),
                TrafficPolicy.CLUSTER, TrafficPolicy.LOCAL)));

        assertThat(names(probe("client", "tcp", CLUSTER_IP, 80, 60)).keySet()).containsExactlyInAnyOrder("ep-a", "ep-b");
    }

    @Test
    void hairpinAnEndpointReachesItselfThroughItsService() {
        proxy.replaceAll(List.of(web(List.of(endpoint("ep-a", "node-a")), Optional.empty())));

        List<String> lines = probe("ep-a", "tcp", CLUSTER_IP, 80, 5);
        // Masqueraded to the bridge address: without it ep-a would answer itself directly and drop it.
        assertThat(lines).containsOnly("OK ep-a " + GATEWAY);
        assertThat(probe("ep-a", "udp", CLUSTER_IP, 53, 3)).containsOnly("OK ep-a " + GATEWAY);
    }

    @Test
    void udpClientKeepingItsSourcePortLeavesARemovedEndpoint() {
        proxy.replaceAll(List.of(web(all(), Optional.empty())));
        String first = probe("client", "udp", CLUSTER_IP, 53, 1, 40000).get(0);
        assertThat(first).startsWith("OK ");
        String pinned = first.split(" ")[1];
        // Same source port, same conntrack entry: same endpoint.
        assertThat(probe("client", "udp", CLUSTER_IP, 53, 3, 40000)).allSatisfy(l -> assertThat(l).startsWith("OK " + pinned));

        List<ServiceEndpoint> others = new ArrayList<>();
        for (String pod : List.of("ep-a", "ep-b", "ep-c")) {
            if (!pod.equals(pinned)) {
                others.add(endpoint(pod, "node-a"));
            }
        }
        proxy.upsert(web(others, Optional.empty()));
        proxy.flush();

        // The removed endpoint still runs its server: only the conntrack deletion moves the client.
        String after = probe("client", "udp", CLUSTER_IP, 53, 1, 40000).get(0);
        assertThat(after).startsWith("OK ").doesNotStartWith("OK " + pinned);
    }

    @Test
    void restartConvergesWithoutRewritingUnchangedChainsAndUninstallLeavesNothing() {
        Service web = web(all(), Optional.empty());
        Service other = new Service(new ServiceRef("default", "other"), List.of(ip("10.96.0.20")),
                List.of(new ServicePort("", Protocol.TCP, 80, OptionalInt.empty())),
                List.of(new ServiceEndpoint(ip(PODS.get("ep-b")), List.of(new EndpointPort("", Protocol.TCP, 8080)), true,
                        Optional.of("node-a"))));
        proxy.replaceAll(List.of(web, other));
        assertThat(names(probe("client", "tcp", "10.96.0.20", 80, 3)).keySet()).containsExactly("ep-b");
        proxy.close();
        String webChain = ChainNames.svc(web.ref(), "http", Protocol.TCP);
        // Traffic through web's chain: a rewrite would reset its counters.
        probe("client", "tcp", CLUSTER_IP, 80, 10);
        long before = packets(webChain);
        assertThat(before).isPositive();

        // A new agent run that no longer has "other".
        proxy = new IptablesServiceProxy(Fixtures.generator(), namespaces.commands(node), Duration.ofMillis(100),
                Duration.ofSeconds(1));
        proxy.replaceAll(List.of(web));

        assertThat(packets(webChain)).isEqualTo(before);
        String save = sh("ip netns exec " + node + " iptables-save");
        assertThat(save).doesNotContain(ChainNames.svc(other.ref(), "", Protocol.TCP)).doesNotContain("10.96.0.20");
        assertThat(save.lines().filter(l -> l.startsWith("-A PREROUTING")).count()).isEqualTo(1);
        assertThat(probe("client", "tcp", "10.96.0.20", 80, 1).get(0)).startsWith("ERR");
        assertThat(names(probe("client", "tcp", CLUSTER_IP, 80, 30)).keySet()).containsExactlyInAnyOrder("ep-a", "ep-b",
                "ep-c");

        new ServiceChainsCleanup(namespaces.commands(node)).run();
        assertThat(sh("ip netns exec " + node + " iptables-save")).doesNotContain("TRELLIS");
    }

    /** The packets counted by all rules of nat {@code chain}. */
    private long packets(String chain) {
        String out = sh("ip netns exec " + node + " iptables -t nat -L " + chain + " -v -x -n");
        return out.lines().skip(2).map(String::strip).filter(l -> !l.isEmpty())
                .mapToLong(l -> Long.parseLong(l.split("\\s+")[0])).sum();
    }

    private Service web(List<ServiceEndpoint> endpoints, Optional<ClientIpAffinity> affinity) {
        return new Service(new ServiceRef("default", "web"), List.of(ip(CLUSTER_IP)),
                List.of(new ServicePort("http", Protocol.TCP, 80, OptionalInt.empty()),
                        new ServicePort("dns", Protocol.UDP, 53, OptionalInt.empty())),
                endpoints, affinity);
    }

    private static Service withNodePort(Service s) {
        return new Service(s.ref(), s.clusterIps(),
                List.of(new ServicePort("http", Protocol.TCP, 80, OptionalInt.of(30080)),
                        new ServicePort("dns", Protocol.UDP, 53, OptionalInt.of(30053))),
                s.endpoints(), s.clientIpAffinity(), s.externalIps(), s.loadBalancerIps(), s.externalTrafficPolicy(),
                s.internalTrafficPolicy());
    }

    private List<ServiceEndpoint> all() {
        return List.of(endpoint("ep-a", "node-a"), endpoint("ep-b", "node-a"), endpoint("ep-c", "node-b"));
    }

    private static ServiceEndpoint endpoint(String pod, String nodeName) {
        return new ServiceEndpoint(ip(PODS.get(pod)), List.of(new EndpointPort("http", Protocol.TCP, 8080),
                new EndpointPort("dns", Protocol.UDP, 5353)), true, Optional.of(nodeName));
    }

    private List<String> probe(String pod, String mode, String ip, int port, int count) {
        return probeFrom(netns.get(pod), mode, ip, port, count);
    }

    private List<String> probe(String pod, String mode, String ip, int port, int count, int sourcePort) {
        return run(netns.get(pod), mode, ip, port, count, " " + sourcePort);
    }

    private List<String> probeFrom(String namespace, String mode, String ip, int port, int count) {
        return run(namespace, mode, ip, port, count, "");
    }

    private List<String> run(String namespace, String mode, String ip, int port, int count, String extra) {
        String out = sh("ip netns exec " + namespace + " python3 " + scripts.resolve("probe_client.py") + " " + mode + " "
                + ip + " " + port + " " + count + " 1.0" + extra);
        List<String> lines = out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        assertThat(lines).as("one line per attempt").hasSize(count);
        return lines;
    }

    /** Endpoint name -> answers, failing on any error line. */
    private static Map<String, Long> names(List<String> lines) {
        assertThat(lines).allSatisfy(l -> assertThat(l).startsWith("OK "));
        return lines.stream().map(l -> l.split(" ")[1]).collect(Collectors.groupingBy(Function.identity(),
                Collectors.counting()));
    }

    private void awaitServer(String ip) {
        for (int i = 0; i < 50; i++) {
            if (probe("client", "tcp", ip, 8080, 1).get(0).startsWith("OK ")) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the test server on " + ip + " did not answer within 5 s");
    }

    private void copy(String resource) throws IOException {
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            if (in == null) {
                throw new UncheckedIOException(new IOException("test resource " + resource + " missing"));
            }
            Files.copy(in, scripts.resolve(resource));
        }
    }
}
