package io.trellis.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Services suite, the same for every data plane (`lab up --backend`), end to end on a 2-node lab, as root: the
 * lab daemon allocates the cluster IP and keeps the EndpointSlice, the agents' Service proxy balances real
 * connections made with python3 in a client pod ({@code lab exec}) over three endpoint pods on both nodes, follows
 * an endpoint's deletion and rejects connections to a Service without endpoints; a ClientIP Service keeps each
 * client on one endpoint until its affinity times out. Uses samples/web-service.yaml. One lab for the class; the
 * tests run in order and build on each other. A backend runs it by extending it ({@link #backend()}). Fails
 * without root, the backend's tools, python3 or a built tree.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ServicesSuite {
    private static final Set<String> ENDPOINT_PODS = Set.of("web/web-1", "web/web-2", "web/web-3");
    private static final String CLIENT = "web/client";
    /** How soon an endpoint's removal must stop new connections reaching it (issue 5). */
    private static final Duration REMOVAL = Duration.ofSeconds(2);

    private final Path home = Path.of("").toAbsolutePath().getParent();
    private Path labDir;
    private LabLauncher launcher;
    private String clusterIp;

    /** The `lab up --backend` value. */
    protected abstract String backend();

    @BeforeAll
    void up() throws Exception {
        labDir = Files.createTempDirectory(Path.of("/tmp"), "tlabsvc" + backend());
        launcher = new LabLauncher(home, labDir);
        assertThat(launcher.check("up", "--nodes", "2", "--backend", backend()).stdout())
                .contains("backend " + backend());
    }

    @AfterAll
    void down() throws Exception {
        if (labDir != null && Files.exists(labDir)) {
            launcher.run("down");
        }
    }

    @Test
    @Order(1)
    void theLabAllocatesAClusterIpAndKeepsASliceWithTheThreeEndpoints() throws Exception {
        LabLauncher.Run apply = launcher.check("apply", "-f", home.resolve("samples/web-service.yaml").toString(),
                "--wait", "--timeout", "120");
        assertThat(apply.stdout()).contains("service/web/web created", "4 pod(s) running");
        try (KubernetesClient client = lab().client()) {
            Service web = ServiceConnections.awaitValue("web's cluster IP", Duration.ofSeconds(10),
                    () -> client.services().inNamespace("web").withName("web").get(),
                    s -> s.getSpec().getClusterIP() != null);
            clusterIp = web.getSpec().getClusterIP();
            assertThat(clusterIp).matches("10\\.96\\.\\d+\\.\\d+").isNotEqualTo("10.96.0.1");
            String nobodyIp = client.services().inNamespace("web").withName("nobody").get().getSpec().getClusterIP();
            assertThat(nobodyIp).matches("10\\.96\\.\\d+\\.\\d+").isNotEqualTo(clusterIp);

            EndpointSlice slice = ServiceConnections.awaitValue("a slice with 3 ready endpoints", Duration.ofSeconds(10),
                    () -> slices(client, "web"), l -> l.size() == 1 && readyEndpoints(l.get(0)).size() == 3).get(0);
            assertThat(slice.getAddressType()).isEqualTo("IPv4");
            assertThat(slice.getMetadata().getLabels()).containsEntry("endpointslice.kubernetes.io/managed-by", "lab");
            assertThat(slice.getPorts()).extracting(p -> p.getName() + "/" + p.getProtocol() + "/" + p.getPort())
                    .containsExactlyInAnyOrder("http/TCP/80", "echo/UDP/81");
            Map<String, String> podIps = podIps(client);
            assertThat(slice.getEndpoints()).extracting(e -> "web/" + e.getTargetRef().getName())
                    .containsExactlyInAnyOrderElementsOf(ENDPOINT_PODS);
            for (Endpoint e : slice.getEndpoints()) {
                assertThat(e.getAddresses()).containsExactly(podIps.get("web/" + e.getTargetRef().getName()));
            }
            assertThat(slice.getEndpoints()).extracting(Endpoint::getNodeName).as("endpoints on both nodes")
                    .containsOnly("node-1", "node-2").contains("node-1", "node-2");
            assertThat(slices(client, "nobody")).singleElement()
                    .satisfies(s -> assertThat(s.getEndpoints()).isNullOrEmpty());
        }
        assertThat(launcher.check("get", "services").stdout())
                .containsPattern("web\\s+web\\s+ClusterIP\\s+" + clusterIp.replace(".", "\\.") + "\\s+80/TCP,81/UDP\\s+app=web");
        String slices = launcher.check("get", "endpointslices").stdout();
        try (KubernetesClient client = lab().client()) {
            for (String pod : ENDPOINT_PODS) {
                assertThat(slices).contains(podIps(client).get(pod));
            }
        }
    }

    @Test
    @Order(2)
    void sixHundredNewTcpConnectionsReachEveryEndpointEachWithAFairShare() throws Exception {
        awaitAnswering(80, "tcp");
        // 5 s: a SYN lost under load is retransmitted after 1 s and must not count as a failure.
        Map<String, Integer> counts = connect(80, "tcp", 600, 5);
        // Every connection is answered (OVS 3.1's port-reuse stall is handled: issue 5, InvalidResetRecovery).
        assertThat(counts.keySet()).as(() -> "answers: " + counts + diagnostics(clusterIp)).isEqualTo(ENDPOINT_PODS);
        assertFairShares(counts, 600);
    }

    @Test
    @Order(3)
    void udpDatagramsFromNewSocketsReachEveryEndpointEachWithAFairShare() throws Exception {
        awaitAnswering(81, "udp");
        Map<String, Integer> counts = connect(81, "udp", 300, 1);
        assertThat(counts.keySet()).as("answers: %s", counts).isEqualTo(ENDPOINT_PODS);
        assertFairShares(counts, 300);
    }

    @Test
    @Order(4)
    void aDeletedEndpointPodGetsNoNewConnectionsAfterTwoSeconds() throws Exception {
        long deleted;
        try (KubernetesClient client = lab().client()) {
            assertThat(client.pods().inNamespace("web").withName("web-2").delete()).isNotEmpty();
            deleted = System.nanoTime();
            ServiceConnections.awaitValue("web-2 gone from the slice", REMOVAL, () -> slices(client, "web"),
                    l -> l.size() == 1 && l.get(0).getEndpoints().size() == 2);
            System.out.printf("web-2 left the slice %d ms after its deletion%n", (System.nanoTime() - deleted) / 1_000_000);
        }
        long wait = REMOVAL.toNanos() - (System.nanoTime() - deleted);
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000);
        }
        Map<String, Integer> tcp = connect(80, "tcp", 100, 5);
        assertThat(tcp).as("tcp answers %s s after the deletion", REMOVAL.toSeconds())
                .containsKeys("web/web-1", "web/web-3").doesNotContainKey("web/web-2");
        assertThat(tcp.keySet()).as(() -> "tcp answers and errors: " + tcp + diagnostics(clusterIp))
                .isEqualTo(Set.of("web/web-1", "web/web-3"));
        Map<String, Integer> udp = connect(81, "udp", 50, 1);
        assertThat(udp).as("udp answers").containsOnlyKeys("web/web-1", "web/web-3");
    }

    @Test
    @Order(5)
    void connectionsToAServiceWithoutEndpointsAreRefused() throws Exception {
        String nobody;
        try (KubernetesClient client = lab().client()) {
            nobody = client.services().inNamespace("web").withName("nobody").get().getSpec().getClusterIP();
        }
        // Rejected, not dropped: a TCP RST and an ICMP port unreachable make the clients fail at once.
        Map<String, Integer> tcp = connect(nobody, 80, "tcp", 3, 1);
        String nobodyIp = nobody;
        assertThat(tcp).as(() -> "tcp to a Service without endpoints" + diagnostics(nobodyIp))
                .containsOnlyKeys("error:ConnectionRefusedError");
        Map<String, Integer> udp = connect(nobody, 53, "udp", 3, 1);
        assertThat(udp).as(() -> "udp to a Service without endpoints" + diagnostics(nobodyIp))
                .containsOnlyKeys("error:ConnectionRefusedError");
        // Its cluster IP on a port the Service does not have, and the web Service's UDP port over TCP: no answer.
        Map<String, Integer> otherPort = connect(clusterIp, 81, "tcp", 2, 1);
        assertThat(otherPort.keySet()).as("tcp to the cluster IP's UDP-only port: %s", otherPort)
                .allMatch(k -> k.startsWith("error:"));
    }

    /** A ClientIP Service over three endpoint pods on both nodes, and a second client (test 6). */
    private static final String STICKY = """
            apiVersion: v1
            kind: Pod
            metadata: {name: sticky-1, namespace: web, labels: {app: sticky}}
            spec:
              nodeName: node-1
              containers: [{name: server, image: builtin, ports: [{name: web, containerPort: 80}]}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: sticky-2, namespace: web, labels: {app: sticky}}
            spec:
              nodeName: node-2
              containers: [{name: server, image: builtin, ports: [{name: web, containerPort: 80}]}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: sticky-3, namespace: web, labels: {app: sticky}}
            spec:
              nodeName: node-1
              containers: [{name: server, image: builtin, ports: [{name: web, containerPort: 80}]}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: client-2, namespace: web, labels: {app: client}}
            spec:
              nodeName: node-2
              containers: [{name: client, image: builtin}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: sticky, namespace: web}
            spec:
              selector: {app: sticky}
              sessionAffinity: ClientIP
              sessionAffinityConfig: {clientIP: {timeoutSeconds: %d}}
              ports: [{name: http, port: 80, targetPort: web}]
            """;
    private static final Set<String> STICKY_PODS = Set.of("web/sticky-1", "web/sticky-2", "web/sticky-3");
    private static final int AFFINITY_SECONDS = 10;

    @Test
    @Order(6)
    void withClientIpAffinityAClientsConnectionsReachOneEndpointUntilTheTimeout() throws Exception {
        Path manifest = labDir.resolve("sticky.yaml");
        Files.writeString(manifest, STICKY.formatted(AFFINITY_SECONDS));
        launcher.check("apply", "-f", manifest.toString(), "--wait", "--timeout", "120");
        String stickyIp;
        try (KubernetesClient client = lab().client()) {
            stickyIp = ServiceConnections.awaitValue("sticky's cluster IP", Duration.ofSeconds(10),
                    () -> client.services().inNamespace("web").withName("sticky").get(),
                    s -> s.getSpec().getClusterIP() != null).getSpec().getClusterIP();
            List<Endpoint> ready = readyEndpoints(ServiceConnections.awaitValue("a slice with 3 ready endpoints",
                    Duration.ofSeconds(10),
                    () -> slices(client, "sticky"), l -> l.size() == 1 && readyEndpoints(l.get(0)).size() == 3).get(0));
            assertThat(ready).extracting(Endpoint::getNodeName).as("endpoints on both nodes")
                    .containsOnly("node-1", "node-2").contains("node-1", "node-2");
        }
        // Until both agents have programmed it, then one timeout more: what was learned while the agents
        // converged (endpoints becoming ready one by one) has expired.
        for (String client : List.of(CLIENT, "web/client-2")) {
            firstAnswer(client, stickyIp);
        }
        Thread.sleep(AFFINITY_SECONDS * 1000L + 3000);

        // Each of two clients (client-2 on node-2): a first connection, which its node's proxy learns, then 60
        // new connections in a row, well within the timeout: all to the first one's endpoint.
        for (String client : List.of(CLIENT, "web/client-2")) {
            String pinned = firstAnswer(client, stickyIp);
            Map<String, Integer> burst = connect(client, stickyIp, 80, "tcp", 60, 5);
            assertThat(burst).as(() -> "60 connections of " + client + " after its first went to " + pinned
                    + "; agent logs:\n" + agentLogs() + diagnostics(stickyIp)).containsOnlyKeys(pinned);
            System.out.printf("%s pinned to %s%n", client, pinned);
        }

        // Idle for longer than the timeout: the next connection is balanced again and the following ones
        // follow it. Over a few expiries the client meets more than one endpoint (every round on the same
        // one of three: probability (1/3)^(rounds-1)).
        Set<String> seen = new java.util.TreeSet<>();
        int rounds = 0;
        while (seen.size() < 2 && rounds < 8) {
            Thread.sleep(AFFINITY_SECONDS * 1000L + 3000);
            String pinned = firstAnswer(CLIENT, stickyIp);
            int round = rounds;
            assertThat(connect(CLIENT, stickyIp, 80, "tcp", 10, 5)).as(() -> "round " + round + " after an idle "
                    + "timeout, first to " + pinned + "; agent logs:\n" + agentLogs() + diagnostics(stickyIp)).containsOnlyKeys(pinned);
            seen.add(pinned);
            rounds++;
        }
        assertThat(seen).as("endpoints met by %s over %d expiries of its affinity", CLIENT, rounds).hasSizeGreaterThan(1);
    }

    /** The last lines of both agents' logs, for a failure's description. */
    private String agentLogs() {
        StringBuilder logs = new StringBuilder();
        for (String node : List.of("1", "2")) {
            try {
                List<String> lines = launcher.run("logs", "agent", "--node", node).stdout().lines().toList();
                logs.append("--- node-").append(node).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())))
                        .append('\n');
            } catch (Exception e) {
                logs.append("--- node-").append(node).append(": ").append(e).append('\n');
            }
        }
        return logs.toString();
    }

    /** The answer to one new connection from {@code client}, retried for 20 s until it comes from a sticky pod. */
    private String firstAnswer(String client, String ip) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Map<String, Integer> answer = connect(client, ip, 80, "tcp", 1, 2);
        while (!STICKY_PODS.containsAll(answer.keySet()) && System.nanoTime() < deadline) {
            answer = connect(client, ip, 80, "tcp", 1, 2);
        }
        assertThat(answer.keySet()).as("first answer to %s", client).hasSize(1).isSubsetOf(STICKY_PODS);
        return answer.keySet().iterator().next();
    }

    // ------------------------------------------------------------------ helpers

    /** Both nodes' Service rules naming {@code ip}, as the backend shows them, for a failure's description. */
    private String diagnostics(String ip) {
        return new ServiceDataPlane(labDir, backend()).describe(lab().requireUp().nodes(), ip);
    }

    private Lab lab() {
        return new Lab(new LabPaths(labDir), new PrintStream(OutputStream.nullOutputStream()));
    }

    private static List<EndpointSlice> slices(KubernetesClient client, String service) {
        return ServiceConnections.slices(client, "web", service);
    }

    private static List<Endpoint> readyEndpoints(EndpointSlice slice) {
        return ServiceConnections.readyEndpoints(List.of(slice));
    }

    private static Map<String, String> podIps(KubernetesClient client) {
        return client.pods().inNamespace("web").list().getItems().stream().collect(Collectors.toMap(
                p -> "web/" + p.getMetadata().getName(), p -> String.valueOf(p.getStatus().getPodIP())));
    }

    private Map<String, Integer> connect(int port, String protocol, int count, int timeoutSeconds) throws Exception {
        return connect(clusterIp, port, protocol, count, timeoutSeconds);
    }

    /** Runs {@link ServiceConnections#SCRIPT} in the client pod: answers (pod names) and errors with their counts. */
    private Map<String, Integer> connect(String ip, int port, String protocol, int count, int timeoutSeconds)
            throws Exception {
        return connect(CLIENT, ip, port, protocol, count, timeoutSeconds);
    }

    /** Runs {@link ServiceConnections#SCRIPT} in the pod {@code from}: answers (pod names) and errors with their counts. */
    private Map<String, Integer> connect(String from, String ip, int port, String protocol, int count,
                                         int timeoutSeconds) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("exec", from, "--"));
        argv.addAll(ServiceConnections.command(ip, port, protocol, count, timeoutSeconds, 0));
        Map<String, Integer> counts = ServiceConnections.counts(launcher.check(argv.toArray(String[]::new)).stdout(),
                count);
        System.out.printf("%d x %s/%d from %s to %s: %s%n", count, protocol, port, from, ip, counts);
        return counts;
    }

    /** Until the agent on the client's node has programmed the Service: a few connections all answered. */
    private void awaitAnswering(int port, String protocol) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Map<String, Integer> last;
        do {
            last = connect(port, protocol, 3, 1);
            if (ENDPOINT_PODS.containsAll(last.keySet())) {
                return;
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError(protocol + "/" + port + " to " + clusterIp + " not answered by the endpoints: " + last);
    }

    /** Issue 5: each endpoint between 20 % and 47 % of the connections. */
    private void assertFairShares(Map<String, Integer> counts, int total) {
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            assertThat(e.getValue()).as(() -> e.getKey() + "'s share of " + total + " (" + counts + ")"
                            + diagnostics(clusterIp))
                    .isBetween((int) Math.ceil(total * 0.20), (int) Math.floor(total * 0.47));
        }
    }
}
