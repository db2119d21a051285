package io.trellis.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Service-semantics suite, the same for every data plane (`lab up --backend`), on a 2-node lab through real
 * connections (samples/service-features.yaml): named target ports resolved per endpoint on several ports,
 * hairpin, an established UDP flow keeping its endpoint when endpoints are added and across an agent restart,
 * serving-but-terminating endpoints used when no ready one is left. Hairpin is checked by its contract (the
 * endpoint is answered through its own Service, by itself among others), not by the source address it sees,
 * which is the backend's choice (ovs: 169.254.0.252, iptables: an address of the node's bridge). One lab for the
 * class; the tests run in order. A backend runs it by extending it ({@link #backend()}). Fails without root, the
 * backend's tools, python3 or a built tree.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ServiceFeaturesSuite {
    private final Path home = Path.of("").toAbsolutePath().getParent();
    private Path labDir;
    private LabLauncher launcher;
    private String multiIp;
    private String holdIp;

    /** The `lab up --backend` value. */
    protected abstract String backend();

    @BeforeAll
    void up() throws Exception {
        labDir = Files.createTempDirectory(Path.of("/tmp"), "tlabfeat" + backend());
        launcher = new LabLauncher(home, labDir);
        assertThat(launcher.check("up", "--nodes", "2", "--backend", backend()).stdout())
                .contains("backend " + backend());
        LabLauncher.Run apply = launcher.check("apply", "-f", home.resolve("samples/service-features.yaml").toString(),
                "--wait", "--timeout", "120");
        assertThat(apply.stdout()).contains("service/sem/multi created", "service/sem/hold created");
        try (KubernetesClient client = lab().client()) {
            multiIp = clusterIp(client, "multi");
            holdIp = clusterIp(client, "hold");
            ServiceConnections.awaitValue("multi's slice with alt-1 and alt-2 ready", Duration.ofSeconds(20), () -> slices(client, "multi"),
                    l -> ServiceConnections.readyEndpoints(l).size() == 2);
            ServiceConnections.awaitValue("hold's slice with hold-1 and hold-2 ready", Duration.ofSeconds(20), () -> slices(client, "hold"),
                    l -> ServiceConnections.readyEndpoints(l).size() == 2);
        }
    }

    @AfterAll
    void down() throws Exception {
        if (labDir != null && Files.exists(labDir)) {
            launcher.run("down");
        }
    }

    @Test
    @Order(1)
    void namedTargetPortsResolvePerEndpointOnEveryPort() throws Exception {
        // alt-1 serves "svc" on 8080, alt-2 on 8081: a Service port sent to one number would be refused by one pod.
        Map<String, Integer> tcp = awaitAll("client", multiIp, 80, "tcp", List.of("sem/alt-1", "sem/alt-2"));
        assertThat(tcp).containsOnlyKeys("sem/alt-1", "sem/alt-2");
        Map<String, Integer> udp = awaitAll("client", multiIp, 53, "udp", List.of("sem/alt-1", "sem/alt-2"));
        assertThat(udp).containsOnlyKeys("sem/alt-1", "sem/alt-2");
        // A port the Service does not have gets no answer.
        assertThat(connect("client", multiIp, 8080, "tcp", 2, 0).keySet()).allMatch(k -> k.startsWith("error:"));
    }

    @Test
    @Order(2)
    void anEndpointReachesItselfThroughItsOwnService() throws Exception {
        Map<String, Integer> tcp = connect("alt-1", multiIp, 80, "tcp", 40, 0);
        assertThat(tcp).as("alt-1 to its own Service over TCP").containsOnlyKeys("sem/alt-1", "sem/alt-2");
        Map<String, Integer> udp = connect("alt-1", multiIp, 53, "udp", 40, 0);
        assertThat(udp).as("alt-1 to its own Service over UDP").containsOnlyKeys("sem/alt-1", "sem/alt-2");
    }

    @Test
    @Order(3)
    void anEstablishedUdpFlowKeepsItsEndpointWhenOneIsAddedAndAcrossAnAgentRestart() throws Exception {
        Map<String, Integer> before = connect("client", multiIp, 53, "udp", 5, 40053);
        assertThat(before).as("one source port, one conntrack entry, one endpoint").hasSize(1);
        String pinned = before.keySet().iterator().next();
        assertThat(pinned).isIn("sem/alt-1", "sem/alt-2");

        launcher.check("apply", "-f", writeAlt3().toString(), "--wait", "--timeout", "60");
        try (KubernetesClient client = lab().client()) {
            ServiceConnections.awaitValue("alt-3 ready in multi's slice", Duration.ofSeconds(20), () -> slices(client, "multi"),
                    l -> ServiceConnections.readyEndpoints(l).size() == 3);
        }
        // New connections reach the new endpoint; the established flow stays where it was.
        awaitAll("client", multiIp, 53, "udp", List.of("sem/alt-1", "sem/alt-2", "sem/alt-3"));
        assertThat(connect("client", multiIp, 53, "udp", 5, 40053)).as("the flow after alt-3 was added")
                .containsOnlyKeys(pinned);

        // The client's agent restarts (kill -9, start): its replaceAll must not move or cut the flow.
        launcher.check("restart", "agent", "--node", "node-1");
        assertThat(connect("client", multiIp, 53, "udp", 5, 40053)).as("the flow after the agent restart")
                .containsOnlyKeys(pinned);
        awaitAll("client", multiIp, 80, "tcp", List.of("sem/alt-1", "sem/alt-2", "sem/alt-3"));
    }

    @Test
    @Order(4)
    void servingTerminatingEndpointsAreUsedWhenNoReadyOneIsLeft() throws Exception {
        awaitAll("client", holdIp, 80, "tcp", List.of("sem/hold-1", "sem/hold-2"));
        try (KubernetesClient client = lab().client()) {
            client.pods().inNamespace("sem").withName("hold-1").delete();
            client.pods().inNamespace("sem").withName("hold-2").delete();
            // Held by the finalizer, both stay (with a deletionTimestamp) and their workload keeps serving.
            List<EndpointSlice> slices = ServiceConnections.awaitValue("hold's endpoints terminating", Duration.ofSeconds(10),
                    () -> slices(client, "hold"), l -> ServiceConnections.endpoints(l).size() == 2 && ServiceConnections.endpoints(l).stream().allMatch(
                            e -> Boolean.TRUE.equals(e.getConditions().getTerminating())));
            assertThat(ServiceConnections.endpoints(slices)).allSatisfy(e -> {
                assertThat(e.getConditions().getReady()).as("ready").isFalse();
                assertThat(e.getConditions().getServing()).as("serving").isTrue();
            });
        }
        Thread.sleep(2000);
        // No ready endpoint left: as kube-proxy, the serving terminating ones get the new connections.
        Map<String, Integer> tcp = connect("client", holdIp, 80, "tcp", 30, 0);
        assertThat(tcp).as("connections to a Service whose endpoints all terminate").containsOnlyKeys("sem/hold-1",
                "sem/hold-2");

        // A ready endpoint again: it alone gets new connections.
        launcher.check("apply", "-f", writeHold3().toString(), "--wait", "--timeout", "60");
        try (KubernetesClient client = lab().client()) {
            ServiceConnections.awaitValue("hold-3 ready", Duration.ofSeconds(20), () -> slices(client, "hold"), l -> ServiceConnections.readyEndpoints(l).size() == 1);
        }
        Thread.sleep(2000);
        assertThat(connect("client", holdIp, 80, "tcp", 20, 0)).as("with hold-3 ready").containsOnlyKeys("sem/hold-3");
        try (KubernetesClient client = lab().client()) {
            for (String name : List.of("hold-1", "hold-2")) {
                client.pods().inNamespace("sem").withName(name).edit(p -> {
                    p.getMetadata().setFinalizers(List.of());
                    return p;
                });
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Both nodes' Service rules naming {@code ip}, as the backend shows them, for a failure's description. */
    private String diagnostics(String ip) {
        return new ServiceDataPlane(labDir, backend()).describe(lab().requireUp().nodes(), ip);
    }

    private Path writeAlt3() throws Exception {
        return write("alt-3.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: alt-3, namespace: sem, labels: {app: alt}}
                spec:
                  nodeName: node-2
                  containers:
                    - name: server
                      image: builtin
                      ports:
                        - {name: svc, containerPort: 8082}
                        - {name: dns, containerPort: 5302, protocol: UDP}
                """);
    }

    private Path writeHold3() throws Exception {
        return write("hold-3.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: hold-3, namespace: sem, labels: {app: hold}}
                spec:
                  nodeName: node-2
                  containers:
                    - name: server
                      image: builtin
                      ports:
                        - {name: web, containerPort: 80}
                """);
    }

    private Path write(String name, String yaml) throws Exception {
        return Files.writeString(labDir.resolve(name), yaml);
    }

    private Lab lab() {
        return new Lab(new LabPaths(labDir), new PrintStream(OutputStream.nullOutputStream()));
    }

    private static String clusterIp(KubernetesClient client, String service) throws InterruptedException {
        return ServiceConnections.awaitValue(service + "'s cluster IP", Duration.ofSeconds(10),
                () -> client.services().inNamespace("sem").withName(service).get(),
                s -> s != null && s.getSpec().getClusterIP() != null).getSpec().getClusterIP();
    }

    private static List<EndpointSlice> slices(KubernetesClient client, String service) {
        return ServiceConnections.slices(client, "sem", service);
    }

    /** Runs {@link ServiceConnections#SCRIPT} in pod sem/{@code pod}: answers (pod names) and errors with their counts. */
    private Map<String, Integer> connect(String pod, String ip, int port, String protocol, int count, int sourcePort)
            throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("exec", "sem/" + pod, "--"));
        argv.addAll(ServiceConnections.command(ip, port, protocol, count, 1, sourcePort));
        Map<String, Integer> counts = ServiceConnections.counts(launcher.check(argv.toArray(String[]::new)).stdout(),
                count);
        System.out.printf("%s: %d x %s/%d to %s from port %d: %s%n", pod, count, protocol, port, ip, sourcePort, counts);
        return counts;
    }

    /**
     * Until rounds of 30 new connections from {@code pod} are all answered and every one of {@code expected} is
     * among the answers (the agents program Services within a second or two): the last round's counts.
     */
    private Map<String, Integer> awaitAll(String pod, String ip, int port, String protocol, List<String> expected)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, Integer> last;
        do {
            last = connect(pod, ip, port, protocol, 30, 0);
            if (last.keySet().containsAll(expected) && expected.containsAll(last.keySet())) {
                return last;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(protocol + "/" + port + " to " + ip + " from " + pod + ": expected answers from "
                + expected + ", last round " + last + diagnostics(ip));
    }
}
