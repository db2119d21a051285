package io.trellis.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Services reached from outside the cluster and from the nodes' own network, on a 2-node lab, as root:
 * node ports (externalTrafficPolicy Cluster and Local), externalIPs, a LoadBalancer's
 * {@code status.loadBalancer.ingress} IP (set by the test: the lab is no load-balancer controller),
 * internalTrafficPolicy Local, and host-network clients of cluster IPs. Clients: the lab's outside client
 * (netns {@code <prefix>-outside}, 10.250.0.200 on the underlay, routing external IPs to a node), the node
 * namespaces themselves and a pod; real TCP connections and UDP requests made with python3. The endpoint pods
 * answer a UDP "who" with the source address they saw.
 *
 * <p>The same suite for every data plane (`lab up --backend`); a backend runs it by extending it. Where the
 * backends legitimately differ, it asserts the contract, not one backend's detail: with SNAT (externalTrafficPolicy
 * Cluster, host-network clients) the endpoints see addresses the entry node owns (in its pod CIDR, or its
 * InternalIP) and never the client's, which ovs makes its gateway 10.244.N.1 and iptables MASQUERADE makes the
 * address of the device the packet leaves by (the bridge's gateway, or the VXLAN device's address towards another
 * node's endpoint); how a node carries an external IP is the backend's evidence ({@link #programsExternalIp}).
 * One lab for the class. Fails without root, the backend's tools, python3 or a built tree.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ServiceExternalAccessSuite {
    private static final String NS = "ext";
    private static final Set<String> ALL = Set.of("ext/e-1", "ext/e-2", "ext/e-3");
    /** e-1 and e-3 run on node-1, e-2 on node-2. */
    private static final Set<String> ON_NODE_1 = Set.of("ext/e-1", "ext/e-3");
    private static final Set<String> ON_NODE_2 = Set.of("ext/e-2");
    private static final String NODE_1 = "10.250.0.1";
    private static final String NODE_2 = "10.250.0.2";
    private static final String EXTERNAL_IP = "192.0.2.10";
    private static final String EXTERNAL_IP_LOCAL = "192.0.2.11";
    private static final String LB_IP = "198.51.100.7";
    /** How long the agents may take to program a change (informers, batch, flows, host rules). */
    private static final Duration CONVERGE = Duration.ofSeconds(20);

    private static final String MANIFEST = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: ext}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: e-1, namespace: ext, labels: {app: e}}
            spec:
              nodeName: node-1
              containers: [{name: s, image: builtin, ports: [{name: web, containerPort: 80}, {name: echo, containerPort: 81, protocol: UDP}]}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: e-2, namespace: ext, labels: {app: e}}
            spec:
              nodeName: node-2
              containers: [{name: s, image: builtin, ports: [{name: web, containerPort: 80}, {name: echo, containerPort: 81, protocol: UDP}]}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: e-3, namespace: ext, labels: {app: e}}
            spec:
              nodeName: node-1
              containers: [{name: s, image: builtin, ports: [{name: web, containerPort: 80}, {name: echo, containerPort: 81, protocol: UDP}]}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: client, namespace: ext, labels: {app: client}}
            spec:
              nodeName: node-2
              containers: [{name: c, image: builtin}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: np, namespace: ext}
            spec:
              type: NodePort
              selector: {app: e}
              externalIPs: [192.0.2.10]
              ports: [{name: http, port: 80, targetPort: web}, {name: echo, port: 81, protocol: UDP, targetPort: 81}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: np-local, namespace: ext}
            spec:
              type: NodePort
              externalTrafficPolicy: Local
              selector: {app: e}
              externalIPs: [192.0.2.11]
              ports: [{name: http, port: 80, targetPort: web}, {name: echo, port: 81, protocol: UDP, targetPort: 81}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: lb, namespace: ext}
            spec:
              type: LoadBalancer
              selector: {app: e}
              ports: [{name: http, port: 80, targetPort: web}, {name: echo, port: 81, protocol: UDP, targetPort: 81}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: itp, namespace: ext}
            spec:
              internalTrafficPolicy: Local
              selector: {app: e}
              ports: [{name: http, port: 80, targetPort: web}]
            """;

    protected final Path home = Path.of("").toAbsolutePath().getParent();
    protected final Shell shell = new Shell();
    protected Path labDir;
    private LabLauncher launcher;
    protected LabState state;
    private final Map<String, Service> services = new TreeMap<>();

    /** The `lab up --backend` value. */
    protected abstract String backend();

    /** Whether {@code node}'s data plane carries {@code externalIp} (a Service's), as the backend programs it. */
    protected abstract boolean programsExternalIp(LabState.NodeState node, String externalIp);

    @BeforeAll
    void up() throws Exception {
        labDir = Files.createTempDirectory(Path.of("/tmp"), "tlabext" + backend());
        launcher = new LabLauncher(home, labDir);
        assertThat(launcher.check("up", "--nodes", "2", "--backend", backend()).stdout())
                .contains("backend " + backend());
        state = lab().requireUp();
        Path manifest = labDir.resolve("ext.yaml");
        Files.writeString(manifest, MANIFEST);
        launcher.check("apply", "-f", manifest.toString(), "--wait", "--timeout", "120");
        try (KubernetesClient client = lab().client()) {
            for (String name : List.of("np", "np-local", "lb", "itp")) {
                services.put(name, ServiceConnections.awaitValue(name + " allocated", Duration.ofSeconds(10),
                        () -> client.services().inNamespace(NS).withName(name).get(),
                        s -> s.getSpec().getClusterIP() != null && (name.equals("itp")
                                || s.getSpec().getPorts().stream().allMatch(p -> p.getNodePort() != null))));
            }
            // What a load-balancer controller would do once it has an address for the Service.
            client.services().inNamespace(NS).withName("lb").editStatus(s -> {
                s.setStatus(new ServiceStatusBuilder().withNewLoadBalancer()
                        .withIngress(new LoadBalancerIngressBuilder().withIp(LB_IP).build()).endLoadBalancer().build());
                return s;
            });
        }
        // The outside client sends external and load-balancer IPs to a node, as the network in front of a cluster would.
        outside("ip", "route", "add", EXTERNAL_IP + "/32", "via", NODE_2);
        outside("ip", "route", "add", EXTERNAL_IP_LOCAL + "/32", "via", NODE_2);
        outside("ip", "route", "add", LB_IP + "/32", "via", NODE_1);
    }

    @AfterAll
    void down() throws Exception {
        if (labDir != null && Files.exists(labDir)) {
            launcher.run("down");
        }
    }

    @Test
    @Order(1)
    void nodePortWithClusterPolicyReachesEveryEndpointFromOutsideAndFromAnotherNode() throws Exception {
        int http = nodePort("np", "http");
        for (String node : List.of(NODE_1, NODE_2)) {
            Map<String, Integer> fromOutside = await(outsideClient(), node, http, "tcp", 60, answersFrom(ALL));
            assertThat(fromOutside.keySet()).as("outside -> %s:%d: %s", node, http, fromOutside).isEqualTo(ALL);
        }
        Map<String, Integer> fromNode2 = await(nodeHost("node-2"), NODE_1, http, "tcp", 60, answersFrom(ALL));
        assertThat(fromNode2.keySet()).as("node-2's host network -> node-1's node port").isEqualTo(ALL);

        // UDP: the endpoints see an address of the entry node (SNAT), not the client, so replies from node-2's pod
        // come back through node-1.
        Map<String, Integer> who = await(outsideClient(), NODE_1, nodePort("np", "echo"), "who", 60,
                m -> m.keySet().stream().map(k -> k.split(" ")[0]).collect(Collectors.toSet()).equals(ALL));
        assertOwnedBy("node-1", who, "outside -> node-1's node port, Cluster policy");
    }

    @Test
    @Order(2)
    void nodePortWithLocalPolicyKeepsTheClientOnTheNodesOwnEndpoints() throws Exception {
        int http = nodePort("np-local", "http");
        int echo = nodePort("np-local", "echo");
        Map<String, Integer> viaNode1 = await(outsideClient(), NODE_1, http, "tcp", 40, answersFrom(ON_NODE_1));
        assertThat(viaNode1.keySet()).as("via node-1: %s", viaNode1).isEqualTo(ON_NODE_1);
        Map<String, Integer> viaNode2 = await(outsideClient(), NODE_2, http, "tcp", 20, answersFrom(ON_NODE_2));
        assertThat(viaNode2.keySet()).as("via node-2: %s", viaNode2).isEqualTo(ON_NODE_2);

        Map<String, Integer> who = await(outsideClient(), NODE_1, echo, "who", 30,
                m -> names(m).equals(ON_NODE_1));
        assertThat(names(who)).isEqualTo(ON_NODE_1);
        assertThat(clientsSeen(who)).as("client address kept: %s", who).containsExactly(Lab.OUTSIDE_IP);
    }

    @Test
    @Order(3)
    void externalIpsAndTheLoadBalancerIngressIpAnswerFromOutside() throws Exception {
        Map<String, Integer> external = await(outsideClient(), EXTERNAL_IP, 80, "tcp", 60, answersFrom(ALL));
        assertThat(external.keySet()).as("externalIP %s via node-2: %s", EXTERNAL_IP, external).isEqualTo(ALL);
        Map<String, Integer> lb = await(outsideClient(), LB_IP, 80, "tcp", 60, answersFrom(ALL));
        assertThat(lb.keySet()).as("LoadBalancer ingress %s via node-1: %s", LB_IP, lb).isEqualTo(ALL);
        Map<String, Integer> lbUdp = await(outsideClient(), LB_IP, 81, "who", 40, m -> names(m).equals(ALL));
        assertOwnedBy("node-1", lbUdp, "LoadBalancer ingress via node-1, Cluster policy");

        // externalTrafficPolicy Local on an external IP: node-2's endpoint only, the client's address kept;
        // a pod still reaches every endpoint through the same address.
        Map<String, Integer> local = await(outsideClient(), EXTERNAL_IP_LOCAL, 81, "who", 20,
                m -> names(m).equals(ON_NODE_2));
        assertThat(names(local)).isEqualTo(ON_NODE_2);
        assertThat(clientsSeen(local)).containsExactly(Lab.OUTSIDE_IP);
        Map<String, Integer> fromPod = await(pod("ext/client"), EXTERNAL_IP_LOCAL, 80, "tcp", 60, answersFrom(ALL));
        assertThat(fromPod.keySet()).as("a pod -> %s: %s", EXTERNAL_IP_LOCAL, fromPod).isEqualTo(ALL);
    }

    @Test
    @Order(4)
    void internalTrafficPolicyLocalKeepsClientsOnTheirNodesEndpoints() throws Exception {
        String itp = services.get("itp").getSpec().getClusterIP();
        Map<String, Integer> fromPod = await(pod("ext/client"), itp, 80, "tcp", 30, answersFrom(ON_NODE_2));
        assertThat(fromPod.keySet()).as("client pod on node-2: %s", fromPod).isEqualTo(ON_NODE_2);
        Map<String, Integer> fromHost = await(nodeHost("node-1"), itp, 80, "tcp", 30, answersFrom(ON_NODE_1));
        assertThat(fromHost.keySet()).as("node-1's host network: %s", fromHost).isEqualTo(ON_NODE_1);
    }

    @Test
    @Order(5)
    void theNodesOwnNetworkReachesClusterIpsWithEndpointsOnEveryNode() throws Exception {
        String np = services.get("np").getSpec().getClusterIP();
        for (String node : List.of("node-1", "node-2")) {
            Map<String, Integer> tcp = await(nodeHost(node), np, 80, "tcp", 60, answersFrom(ALL));
            assertThat(tcp.keySet()).as("%s's host network -> %s:80: %s", node, np, tcp).isEqualTo(ALL);
        }
        Map<String, Integer> udp = await(nodeHost("node-1"), np, 81, "who", 40, m -> names(m).equals(ALL));
        assertOwnedBy("node-1", udp, "node-1's host network -> " + np + ":81");
    }

    @Test
    @Order(6)
    void aRemovedExternalIpStopsAnsweringAndItsRouteGoes() throws Exception {
        try (KubernetesClient client = lab().client()) {
            client.services().inNamespace(NS).withName("np").edit(s -> {
                s.getSpec().setExternalIPs(List.of());
                return s;
            });
        }
        Map<String, Integer> gone = await(outsideClient(), EXTERNAL_IP, 80, "tcp", 3,
                m -> m.keySet().stream().allMatch(k -> k.startsWith("error:")), 1);
        assertThat(gone.keySet()).as("%s after its removal: %s", EXTERNAL_IP, gone).allMatch(k -> k.startsWith("error:"));
        LabState.NodeState node2 = state.node("node-2").orElseThrow();
        assertThat(programsExternalIp(node2, EXTERNAL_IP)).as("node-2 still carries the removed %s", EXTERNAL_IP)
                .isFalse();
        assertThat(programsExternalIp(node2, EXTERNAL_IP_LOCAL)).as("node-2 carries np-local's %s", EXTERNAL_IP_LOCAL)
                .isTrue();
        // The node port still answers.
        assertThat(await(outsideClient(), NODE_2, nodePort("np", "http"), "tcp", 10, answersFrom(ALL)).keySet())
                .isSubsetOf(ALL);
    }

    // ------------------------------------------------------------------ helpers

    private Lab lab() {
        return new Lab(new LabPaths(labDir), new PrintStream(OutputStream.nullOutputStream()));
    }

    private int nodePort(String service, String port) {
        return services.get(service).getSpec().getPorts().stream().filter(p -> p.getName().equals(port))
                .map(ServicePort::getNodePort).findFirst().orElseThrow();
    }

    private List<String> outsideClient() {
        return List.of("ip", "netns", "exec", state.outsideNetns());
    }

    private List<String> nodeHost(String node) {
        String netns = state.nodes().stream().filter(n -> n.name().equals(node)).findFirst().orElseThrow().netns();
        return List.of("ip", "netns", "exec", netns);
    }

    private List<String> pod(String pod) {
        return List.of(home.resolve("trellis").toString(), "lab", "--lab-dir", labDir.toString(), "exec", pod, "--");
    }

    private void outside(String... command) throws Exception {
        List<String> argv = new ArrayList<>(outsideClient());
        argv.addAll(List.of(command));
        run(argv);
    }

    private static Predicate<Map<String, Integer>> answersFrom(Set<String> pods) {
        return m -> m.keySet().equals(pods);
    }

    private static Set<String> names(Map<String, Integer> answers) {
        return answers.keySet().stream().map(k -> k.split(" ")[0]).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * SNAT's contract: every source address the endpoints saw ({@code who} answers from all of them) is one
     * {@code node} owns (in its pod CIDR, or its InternalIP), none the outside client's.
     */
    private void assertOwnedBy(String node, Map<String, Integer> who, String what) {
        String cidr = lab().podCidrs().get(node);
        String internalIp = state.node(node).orElseThrow().internalIp();
        assertThat(clientsSeen(who)).as("source addresses the endpoints saw (%s): %s", what, who).isNotEmpty()
                .allSatisfy(ip -> assertThat(ip).as("%s's address", node).isNotEqualTo(Lab.OUTSIDE_IP)
                        .satisfiesAnyOf(a -> assertThat(a).isEqualTo(internalIp),
                                a -> assertThat(PodConnectivitySuite.inCidr(a, cidr)).as("%s in %s", a, cidr).isTrue()));
    }

    private static Set<String> clientsSeen(Map<String, Integer> answers) {
        assertThat(answers.keySet()).as("who answers: %s", answers).allMatch(k -> k.split(" ").length == 2);
        return answers.keySet().stream().map(k -> k.split(" ")[1]).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Repeats {@code count} connections until {@code done} holds (the agents converge) or CONVERGE passes. */
    private Map<String, Integer> await(List<String> from, String ip, int port, String mode, int count,
            Predicate<Map<String, Integer>> done) throws Exception {
        return await(from, ip, port, mode, count, done, 2);
    }

    private Map<String, Integer> await(List<String> from, String ip, int port, String mode, int count,
            Predicate<Map<String, Integer>> done, int timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        Map<String, Integer> last = connect(from, ip, port, mode, count, timeoutSeconds);
        while (!done.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            last = connect(from, ip, port, mode, count, timeoutSeconds);
        }
        return last;
    }

    private Map<String, Integer> connect(List<String> from, String ip, int port, String mode, int count,
            int timeoutSeconds) throws Exception {
        List<String> argv = new ArrayList<>(from);
        argv.addAll(ServiceConnections.command(ip, port, mode, count, timeoutSeconds, 0));
        return ServiceConnections.counts(run(argv), count);
    }

    private static String run(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", argv).isTrue();
        assertThat(p.exitValue()).as("%s: %s", argv, out).isZero();
        return out;
    }
}
