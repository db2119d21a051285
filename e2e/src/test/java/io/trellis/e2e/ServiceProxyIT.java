package io.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.testing.CommandResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent as a Service proxy ({@code serviceProxy: ovs}): Services and EndpointSlices written to
 * the API stand-in (as the control plane would) reach OVS through the agent's informers, and a
 * client pod's connections to the ClusterIP reach the endpoint pods on the same node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceProxyIT {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceProxyIT.class);
    private static final String CLUSTER_IP = "172.30.0.10";
    private static final int SERVICE_PORT = 80;
    private static final int TARGET_PORT = 8080;
    private static final int CONNECTIONS = 60;

    private AgentNode node;
    private Path script;
    private AttachedPod client;
    /** Endpoint pods by the name their server answers with. */
    private final Map<String, AttachedPod> endpoints = new TreeMap<>();
    private final List<Process> servers = new ArrayList<>();

    @BeforeAll
    void startNodePodsAndServers() throws IOException {
        node = AgentNode.start(TrellisHome.locate(),
                new AgentNode.Options("10.99.0.0/24", "192.168.99.2", 1450).withServiceProxy());
        try {
            script = node.sandbox().runDir().resolve("svcprobe.py");
            try (InputStream in = getClass().getResourceAsStream("svcprobe.py")) {
                assertThat(in).as("test resource svcprobe.py").isNotNull();
                Files.write(script, in.readAllBytes());
            }
            for (String name : List.of("ep-a", "ep-b", "ep-c")) {
                AttachedPod pod = node.addPod("shop", name);
                endpoints.put(name, pod);
                servers.add(serve(pod, name));
            }
            client = node.addPod("shop", "client");
        } catch (RuntimeException | IOException | AssertionError e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    void stop() {
        servers.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
        if (node != null) {
            node.close();
        }
    }

    @Test
    void connectionsToTheClusterIpReachEveryEndpointAndARemovedOneGetsNoNewConnectionsWithin2s() throws Exception {
        ApiStandInProcess api = node.api();
        // Before any Service: nothing answers on the cluster IP.
        assertThat(connect(1)).singleElement().asString().startsWith("failed");

        // A named targetPort, resolved by the slice's port name.
        api.putService("shop", "web", CLUSTER_IP, "http", SERVICE_PORT, "http");
        api.putSlice("shop", "web-1", "web", "http", TARGET_PORT, ips("ep-a", "ep-b", "ep-c"));
        long created = System.nanoTime();
        awaitAnswer(Duration.ofSeconds(15));
        LOG.info("the Service answered {} ms after its slice was written", (System.nanoTime() - created) / 1_000_000);

        Map<String, Long> answers = count(connect(CONNECTIONS));
        assertThat(answers.keySet()).as("answers: %s", answers).containsExactlyInAnyOrder("ep-a", "ep-b", "ep-c");

        // ep-b leaves the slice: within 2 s no new connection goes there.
        api.putSlice("shop", "web-1", "web", "http", TARGET_PORT, ips("ep-a", "ep-c"));
        long removed = System.nanoTime();
        String epB = endpoints.get("ep-b").ip();
        while (node.sandbox().ofctlWithOptions(List.of("-O", "OpenFlow15"), AgentNode.BRIDGE, "dump-groups")
                .contains(epB + ":")) {
            assertThat(Duration.ofNanos(System.nanoTime() - removed)).as("ep-b still in the Service's group")
                    .isLessThan(Duration.ofSeconds(2));
            Thread.sleep(20);
        }
        long gone = (System.nanoTime() - removed) / 1_000_000;
        LOG.info("ep-b left the group {} ms after the slice update", gone);
        Thread.sleep(Math.max(0, 2000 - gone));
        Map<String, Long> after = count(connect(CONNECTIONS));
        assertThat(after.keySet()).as("answers 2 s after ep-b left the slice: %s", after)
                .containsExactlyInAnyOrder("ep-a", "ep-c");

        // The Service deleted: its cluster IP answers no more.
        api.deleteService("shop", "web");
        long deleted = System.nanoTime();
        while (!connect(1).get(0).startsWith("failed")) {
            assertThat(Duration.ofNanos(System.nanoTime() - deleted)).as("the deleted Service still answers")
                    .isLessThan(Duration.ofSeconds(5));
        }
    }

    // ------------------------------------------------------------------ helpers

    private List<String> ips(String... names) {
        return List.of(names).stream().map(n -> endpoints.get(n).ip()).toList();
    }

    private Process serve(AttachedPod pod, String name) {
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", pod.netns().name(), "python3", script.toString(),
                    "serve", name, pod.ip(), Integer.toString(TARGET_PORT)).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(line).as("server %s started", name).isEqualTo("ready");
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> connect(int count) {
        CommandResult r = node.exec(client.netns().name(), List.of("python3", script.toString(), "connect", CLUSTER_IP,
                Integer.toString(SERVICE_PORT), Integer.toString(count)));
        assertThat(r.exitCode()).as("connect: %s", r).isZero();
        List<String> lines = r.stdout().lines().toList();
        assertThat(lines).hasSize(count);
        return lines;
    }

    private void awaitAnswer(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = connect(1).get(0);
        while (last.startsWith("failed")) {
            assertThat(System.nanoTime()).as("no answer from the Service within %s: %s; agent log:\n%s", timeout, last,
                    Logs.tail(node.agent().log(), 30)).isLessThan(deadline);
            last = connect(1).get(0);
        }
    }

    private static Map<String, Long> count(List<String> answers) {
        assertThat(answers).noneMatch(a -> a.startsWith("failed"));
        return answers.stream().collect(Collectors.groupingBy(a -> a, TreeMap::new, Collectors.counting()));
    }
}
