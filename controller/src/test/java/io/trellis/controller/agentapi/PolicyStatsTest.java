package io.trellis.controller.agentapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.controller.config.AgentApiSettings;
import io.trellis.controlplane.stream.AgentTokens;
import io.trellis.controlplane.stream.PemTls;
import io.trellis.controlplane.stream.PolicyStatisticsJson;
import io.trellis.controlplane.stream.PolicyStreamClient;
import io.trellis.controlplane.stream.PolicyStreamProtocol;
import io.trellis.controlplane.stream.PolicyStreamSettings;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IsolationDropCounters;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyStatistics;
import io.trellis.spi.policy.RuleCounters;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Agents report cumulative counters over TLS; the controller sums the latest reading of each node. */
class PolicyStatsTest {
    private static final byte[] SECRET = "stats-secret".getBytes(StandardCharsets.UTF_8);
    private static final PolicyRef WEB = new PolicyRef("x", "allow-web");
    private static final PolicyRef DNS = new PolicyRef("y", "allow-dns");

    @TempDir
    Path dir;
    private TestTls tls;
    private PolicyStreamServer server;

    @BeforeEach
    void setUp() throws Exception {
        tls = TestTls.generate(dir, "trellis-controller");
        Path secret = dir.resolve("secret");
        Files.write(secret, SECRET);
        server = new PolicyStreamServer(new AgentApiSettings(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                tls.certificate(), tls.privateKey(), secret)).start();
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private PolicyStreamClient agent(String node, String token) throws IOException {
        Path tokenFile = dir.resolve("token-" + node);
        Files.writeString(tokenFile, token);
        // Not started: reporting does not need the watch.
        return new PolicyStreamClient(new PolicyStreamSettings(URI.create("https://127.0.0.1:"
                + server.address().getPort()), tls.certificate(), tokenFile, node), new RecordingListener());
    }

    private HttpResponse<String> get(String query, String node) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(PemTls.trusting(tls.certificate())).build();
        return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.address().getPort()
                        + PolicyStreamProtocol.STATS_PATH + query))
                .header("Authorization", PolicyStreamProtocol.authorization(node, AgentTokens.tokenFor(SECRET, node)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private PolicyStatistics sums(String query) throws Exception {
        HttpResponse<String> response = get(query, "node-a");
        assertThat(response.statusCode()).isEqualTo(200);
        return new PolicyStatisticsJson().decode(response.body());
    }

    @Test
    void theControllerSumsTheLatestReadingOfEachNode() throws Exception {
        PolicyStreamClient a = agent("node-a", AgentTokens.tokenFor(SECRET, "node-a"));
        PolicyStreamClient b = agent("node-b", AgentTokens.tokenFor(SECRET, "node-b"));
        PodRef podA = new PodRef("x", "a");

        a.reportStatistics(new PolicyStatistics(List.of(new RuleCounters(WEB, Direction.INGRESS, 0, 1, 10, 100)),
                List.of(new IsolationDropCounters(podA, Direction.INGRESS, 5, 500))));
        b.reportStatistics(new PolicyStatistics(List.of(new RuleCounters(WEB, Direction.INGRESS, 0, 2, 20, 200),
                new RuleCounters(DNS, Direction.EGRESS, 1, 7, 14, 1400)), List.of()));
        // A newer cumulative reading replaces node A's previous one.
        a.reportStatistics(new PolicyStatistics(List.of(new RuleCounters(WEB, Direction.INGRESS, 0, 3, 30, 300),
                new RuleCounters(WEB, Direction.INGRESS, 1, 1, 2, 3)),
                List.of(new IsolationDropCounters(podA, Direction.INGRESS, 6, 600))));

        assertThat(sums("")).isEqualTo(expectedAll(podA));
        assertThat(sums("?namespace=y")).isEqualTo(new PolicyStatistics(
                List.of(new RuleCounters(DNS, Direction.EGRESS, 1, 7, 14, 1400)), List.of()));
        assertThat(sums("?namespace=z")).isEqualTo(PolicyStatistics.NONE);
    }

    private static PolicyStatistics expectedAll(PodRef podA) {
        return new PolicyStatistics(List.of(
                new RuleCounters(WEB, Direction.INGRESS, 0, 5, 50, 500),
                new RuleCounters(WEB, Direction.INGRESS, 1, 1, 2, 3),
                new RuleCounters(DNS, Direction.EGRESS, 1, 7, 14, 1400)),
                List.of(new IsolationDropCounters(podA, Direction.INGRESS, 6, 600)));
    }

    @Test
    void reportsNeedTheNodesOwnTokenAndValidJson() throws Exception {
        PolicyStreamClient impostor = agent("node-a", AgentTokens.tokenFor(SECRET, "node-b"));
        assertThatThrownBy(() -> impostor.reportStatistics(PolicyStatistics.NONE)).isInstanceOf(IOException.class)
                .hasMessageContaining("401");

        HttpClient http = HttpClient.newBuilder().sslContext(PemTls.trusting(tls.certificate())).build();
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                        + server.address().getPort() + PolicyStreamProtocol.STATS_PATH))
                .header("Authorization", PolicyStreamProtocol.authorization("node-a", AgentTokens.tokenFor(SECRET,
                        "node-a")))
                .POST(HttpRequest.BodyPublishers.ofString("{\"rules\":[{\"namespace\":\"x\",\"name\":\"p\","
                        + "\"direction\":\"INGRESS\",\"index\":0,\"sessions\":-1,\"packets\":0,\"bytes\":0}],"
                        + "\"isolationDrops\":[]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("field 'rules[0].sessions': expected a non-negative 64-bit integer, got -1");
        assertThat(sums("")).isEqualTo(PolicyStatistics.NONE);

        HttpResponse<String> unauthenticated = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                + server.address().getPort() + PolicyStreamProtocol.STATS_PATH)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unauthenticated.statusCode()).isEqualTo(401);
    }
}
