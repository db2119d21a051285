package io.trellis.agent.policy;

import static io.trellis.agent.policy.PolicyFixtures.NODE;
import static io.trellis.agent.policy.PolicyFixtures.appliedTo;
import static io.trellis.agent.policy.PolicyFixtures.ingress;
import static io.trellis.agent.policy.PolicyFixtures.local;
import static io.trellis.agent.policy.PolicyFixtures.policy;
import static io.trellis.agent.policy.PolicyFixtures.policyRef;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.trellis.agent.config.ControllerConfig;
import io.trellis.agent.policy.RecordingEnforcer.Call;
import io.trellis.agent.policy.RecordingEnforcer.Remove;
import io.trellis.agent.policy.RecordingEnforcer.ReplaceAll;
import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.PolicyObjectKey;
import io.trellis.controlplane.policy.RulePeers;
import io.trellis.controlplane.stream.PemTls;
import io.trellis.controlplane.stream.PolicyStatisticsJson;
import io.trellis.controlplane.stream.PolicyStreamProtocol;
import io.trellis.controlplane.stream.StreamEvent;
import io.trellis.controlplane.stream.StreamEventCodec;
import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IsolationDropCounters;
import io.trellis.spi.policy.PolicyStatistics;
import io.trellis.spi.policy.RuleCounters;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's policy wiring against a stand-in controller speaking the stream protocol over TLS
 * (JDK HttpsServer, a self-signed certificate made by openssl): the first snapshot is enforced with
 * replaceAll, later events incrementally, and a controller that goes away changes nothing.
 */
class PolicyAgentTest {
    private static final String TOKEN = "0123abcd";
    private static final String END = "END";

    @TempDir
    Path dir;

    private final RecordingEnforcer enforcer = new RecordingEnforcer();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<String> statsAuthorizations = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> reports = new LinkedBlockingQueue<>();
    private final StreamEventCodec codec = new StreamEventCodec();
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private HttpsServer server;
    private PolicyAgent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.stop(0);
        }
        lines.add(END);
        handlers.shutdownNow();
    }

    @Test
    void snapshotThenChangesReachTheEnforcerAndALostControllerRemovesNothing() throws Exception {
        ControllerConfig controller = startController();
        InternalPolicy p1 = policy("uid-1", "x/p1", "atg-a", ingress(0, RulePeers.ANY));
        InternalPolicy p2 = policy("uid-2", "x/p2", "atg-a", ingress(0, RulePeers.ANY));

        agent = PolicyAgent.start(controller, NODE, enforcer, Duration.ofDays(1));
        assertThat(agent.awaitFirstSnapshot(Duration.ofMillis(300))).as("enforced before any snapshot").isFalse();

        send(new StreamEvent.Snapshot("1", List.of(appliedTo("atg-a", local("x/a", "10.0.1.10")), p1, p2)));
        assertThat(agent.awaitFirstSnapshot(Duration.ofSeconds(20))).isTrue();
        assertThat(authorizations).first().isEqualTo(PolicyStreamProtocol.authorization(NODE, TOKEN));

        send(new StreamEvent.Deleted("2", new PolicyObjectKey(PolicyObjectKey.Kind.POLICY, "uid-2")));
        waitFor(() -> enforcer.calls().size() >= 2);

        List<Call> calls = enforcer.takeCalls();
        assertThat(calls).hasSize(2);
        assertThat(((ReplaceAll) calls.get(0)).policies()).extracting(NetworkPolicyRules::ref)
                .containsExactly(policyRef("x/p1"), policyRef("x/p2"));
        assertThat(calls.get(1)).isEqualTo(new Remove(policyRef("x/p2")));

        // The controller goes away: the agent keeps what it enforces.
        lines.add(END);
        server.stop(0);
        Thread.sleep(1500);
        assertThat(enforcer.calls()).isEmpty();
        assertThat(enforcer.installed()).containsOnlyKeys(policyRef("x/p1"));
    }

    @Test
    void anUnreachableControllerLeavesTheEnforcerUntouched() throws Exception {
        ControllerConfig controller = new ControllerConfig(URI.create("https://127.0.0.1:1"), dir.resolve("ca.crt"),
                dir.resolve("token"));

        agent = PolicyAgent.start(controller, NODE, enforcer);

        // Port 1, no CA file: no snapshot, the enforcer is not touched.
        assertThat(agent.awaitFirstSnapshot(Duration.ofSeconds(1))).isFalse();
        assertThat(enforcer.calls()).isEmpty();
    }

    @Test
    void theEnforcerStatisticsArePostedToTheController() throws Exception {
        ControllerConfig controller = startController();
        PolicyStatistics stats = new PolicyStatistics(List.of(new RuleCounters(policyRef("x/p1"), Direction.INGRESS, 0,
                4, 40, 4000)), List.of(new IsolationDropCounters(PolicyFixtures.ref("x/a"), Direction.INGRESS, 2, 120)));
        enforcer.statisticsToReturn(stats);
        assertThat(PolicyAgent.STATISTICS_PERIOD).isEqualTo(Duration.ofSeconds(10));

        agent = PolicyAgent.start(controller, NODE, enforcer, Duration.ofMillis(100));

        String body = reports.poll(20, TimeUnit.SECONDS);
        assertThat(body).as("a statistics report").isNotNull();
        assertThat(new PolicyStatisticsJson().decode(body)).isEqualTo(stats);
        assertThat(statsAuthorizations).first().isEqualTo(PolicyStreamProtocol.authorization(NODE, TOKEN));
        assertThat(enforcer.calls()).allMatch(c -> c instanceof RecordingEnforcer.Statistics);
    }

    private void send(StreamEvent event) {
        lines.add(codec.encode(event));
    }

    private ControllerConfig startController() throws Exception {
        Path key = dir.resolve("tls.key");
        Path cert = dir.resolve("tls.crt");
        Process p = new ProcessBuilder(List.of("openssl", "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=controller",
                "-addext", "subjectAltName=IP:127.0.0.1"))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl: %s", output).isTrue();
        assertThat(Files.readString(key)).as("OpenSSL 3 writes PKCS#8").contains("BEGIN PRIVATE KEY");
        Path token = dir.resolve("agent-token");
        Files.writeString(token, TOKEN + "\n");

        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(PemTls.server(cert, key)));
        // A thread per exchange: the watch exchange blocks while streaming.
        server.setExecutor(handlers);
        server.createContext(PolicyStreamProtocol.WATCH_PATH, this::watch);
        server.createContext(PolicyStreamProtocol.STATS_PATH, exchange -> {
            statsAuthorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            reports.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return new ControllerConfig(URI.create("https://127.0.0.1:" + server.getAddress().getPort()), cert, token);
    }

    /** Streams the queued lines, one per event, until END. */
    private void watch(HttpExchange exchange) throws IOException {
        authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
        exchange.getResponseHeaders().add("Content-Type", PolicyStreamProtocol.STREAM_CONTENT_TYPE);
        exchange.getResponseHeaders().add(PolicyStreamProtocol.HEARTBEAT_HEADER, "60000");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            while (true) {
                String line = lines.poll(30, TimeUnit.SECONDS);
                if (line == null || line.equals(END)) {
                    return;
                }
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
