package io.trellis.controller.agentapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.controller.config.AgentApiSettings;
import io.trellis.controller.testing.Eventually;
import io.trellis.controlplane.policy.AddressGroup;
import io.trellis.controlplane.policy.AppliedToGroup;
import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.InternalRule;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import io.trellis.controlplane.policy.RulePeers;
import io.trellis.controlplane.stream.AgentTokens;
import io.trellis.controlplane.stream.PemTls;
import io.trellis.controlplane.stream.PolicyStreamClient;
import io.trellis.controlplane.stream.PolicyStreamProtocol;
import io.trellis.controlplane.stream.PolicyStreamSettings;
import io.trellis.controlplane.stream.StreamTiming;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.PolicyRef;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server and client over real TLS on 127.0.0.1, with certificates openssl makes for the test. */
class PolicyChannelTest {
    private static final Duration HEARTBEAT = Duration.ofMillis(300);
    private static final StreamTiming FAST = new StreamTiming(Duration.ofMillis(50), Duration.ofMillis(300),
            Duration.ofSeconds(5), Duration.ofSeconds(1));
    private static final byte[] SECRET = "test-secret".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private TestTls tls;
    private Path secretFile;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        tls = TestTls.generate(dir, "trellis-controller");
        secretFile = dir.resolve("secret");
        // Surrounding white space is not part of the secret.
        Files.writeString(secretFile, new String(SECRET, StandardCharsets.UTF_8) + "\n");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private PolicyStreamServer server() {
        PolicyStreamServer server = new PolicyStreamServer(new AgentApiSettings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), tls.certificate(), tls.privateKey(),
                secretFile), new StreamServerTiming(HEARTBEAT, 1000, 10_000)).start();
        closeables.add(server);
        return server;
    }

    private PolicyStreamClient client(int port, String node, RecordingListener listener) throws Exception {
        return client(port, node, listener, tls.certificate(), AgentTokens.tokenFor(SECRET, node));
    }

    private PolicyStreamClient client(int port, String node, RecordingListener listener, Path ca, String token)
            throws Exception {
        Path tokenFile = dir.resolve("token-" + node);
        Files.writeString(tokenFile, token + "\n");
        PolicyStreamClient client = new PolicyStreamClient(new PolicyStreamSettings(
                URI.create("https://127.0.0.1:" + port), ca, tokenFile, node), listener, FAST);
        closeables.add(client);
        client.start();
        return client;
    }

    private TcpProxy proxy(int port) throws Exception {
        TcpProxy proxy = new TcpProxy(port);
        closeables.add(proxy);
        return proxy;
    }

    static PodMember member(String pod, String node, String ip) {
        try {
            return new PodMember(new PodRef("x", pod), node, List.of(InetAddress.getByName(ip)), List.of());
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InternalPolicy policy(String uid, String group) {
        return new InternalPolicy(uid, new PolicyRef("x", "np-" + uid), group, EnumSet.of(Direction.INGRESS),
                List.of(new InternalRule(Direction.INGRESS, 0, RulePeers.of(List.of("peers"), List.of()), List.of())));
    }

    static PolicyObjectKey policyKey(String uid) {
        return new PolicyObjectKey(PolicyObjectKey.Kind.POLICY, uid);
    }

    @Test
    void anAgentGetsASnapshotThenIncrementalEvents() throws Exception {
        PolicyStreamServer server = server();
        AppliedToGroup group = new AppliedToGroup("atg", List.of(member("a", "node-a", "10.244.1.2")));
        server.upsert(group, Set.of("node-a"));
        server.upsert(policy("p1", "atg"), Set.of("node-a"));
        server.markReady();
        RecordingListener agent = new RecordingListener();
        PolicyStreamClient client = client(server.address().getPort(), "node-a", agent);

        Eventually.until("snapshot", client::synced);
        assertThat(agent.calls()).containsExactly("replaceAll 2");
        assertThat(agent.state()).containsOnlyKeys(group.key(), policyKey("p1"));

        AddressGroup peers = new AddressGroup("peers", List.of(member("b", "node-b", "10.244.2.2")));
        server.upsert(peers, Set.of("node-a"));
        InternalPolicy changed = new InternalPolicy("p1", new PolicyRef("x", "np-p1"), "atg",
                EnumSet.of(Direction.INGRESS, Direction.EGRESS), List.of());
        server.upsert(changed, Set.of("node-a"));
        server.upsert(changed, Set.of("node-a")); // no change: nothing sent
        server.remove(group.key());

        Eventually.until("three events", () -> agent.calls().size() == 4);
        assertThat(agent.calls()).containsExactly("replaceAll 2", "upsert ADDRESS_GROUP/peers", "upsert POLICY/p1",
                "remove APPLIED_TO_GROUP/atg");
        assertThat(agent.state()).containsOnlyKeys(peers.key(), policyKey("p1"));
        assertThat(agent.state().get(policyKey("p1"))).isEqualTo(changed);
        assertThat(agent.state().get(peers.key())).isEqualTo(peers);
        assertThat(agent.threads()).hasSize(1);
        assertThat(client.resourceVersion()).contains(server.currentVersion());
    }

    @Test
    void aNodeSeesOnlyItsSpanAndItsOwnAppliedToMembers() throws Exception {
        PolicyStreamServer server = server();
        server.markReady();
        RecordingListener a = new RecordingListener();
        RecordingListener b = new RecordingListener();
        PolicyStreamClient clientA = client(server.address().getPort(), "node-a", a);
        PolicyStreamClient clientB = client(server.address().getPort(), "node-b", b);
        Eventually.until("both synced", () -> clientA.synced() && clientB.synced());

        PodMember onA = member("a", "node-a", "10.244.1.2");
        PodMember onB = member("b", "node-b", "10.244.2.2");
        server.upsert(new AppliedToGroup("shared", List.of(onA, onB)), Set.of("node-a", "node-b"));
        server.upsert(new AddressGroup("only-a", List.of(onB)), Set.of("node-a"));
        server.upsert(policy("pa", "shared"), Set.of("node-a"));
        server.upsert(policy("pb", "shared"), Set.of("node-b"));

        Eventually.until("a has 3", () -> a.state().size() == 3);
        Eventually.until("b has 2", () -> b.state().size() == 2);
        PolicyObjectKey shared = new PolicyObjectKey(PolicyObjectKey.Kind.APPLIED_TO_GROUP, "shared");
        assertThat(a.state()).containsOnlyKeys(shared, new PolicyObjectKey(PolicyObjectKey.Kind.ADDRESS_GROUP,
                "only-a"), policyKey("pa"));
        assertThat(b.state()).containsOnlyKeys(shared, policyKey("pb"));
        assertThat(((AppliedToGroup) a.state().get(shared)).members()).containsExactly(onA);
        assertThat(((AppliedToGroup) b.state().get(shared)).members()).containsExactly(onB);

        // A member change on node B only: node A is not told anything.
        PodMember onB2 = member("b2", "node-b", "10.244.2.3");
        server.upsert(new AppliedToGroup("shared", List.of(onA, onB, onB2)), Set.of("node-a", "node-b"));
        Eventually.until("b sees b2", () -> ((AppliedToGroup) b.state().get(shared)).members().size() == 2);
        // A later change that does concern A: everything before it has been delivered to A by then.
        server.upsert(policy("pa2", "shared"), Set.of("node-a"));
        Eventually.until("a sees pa2", () -> a.state().containsKey(policyKey("pa2")));
        assertThat(a.calls()).containsExactly("replaceAll 0", "upsert APPLIED_TO_GROUP/shared",
                "upsert ADDRESS_GROUP/only-a", "upsert POLICY/pa",
                "upsert POLICY/pa2");
        assertThat(b.calls()).doesNotContain("upsert ADDRESS_GROUP/only-a", "upsert POLICY/pa", "upsert POLICY/pa2");
    }

    @Test
    void anObjectLeavingANodesSpanIsDeletedThere() throws Exception {
        PolicyStreamServer server = server();
        server.upsert(policy("p", "g"), Set.of("node-a"));
        server.markReady();
        RecordingListener a = new RecordingListener();
        RecordingListener b = new RecordingListener();
        client(server.address().getPort(), "node-a", a);
        PolicyStreamClient clientB = client(server.address().getPort(), "node-b", b);
        Eventually.until("a has p", () -> a.state().containsKey(policyKey("p")));
        Eventually.until("b synced", clientB::synced);

        server.upsert(policy("p", "g"), Set.of("node-b"));

        Eventually.until("a lost p", () -> a.state().isEmpty());
        Eventually.until("b got p", () -> b.state().containsKey(policyKey("p")));
        assertThat(a.calls()).containsExactly("replaceAll 1", "remove POLICY/p");
        assertThat(b.calls()).containsExactly("replaceAll 0", "upsert POLICY/p");

        server.upsert(policy("p", "g"), Set.of());
        Eventually.until("b lost p", () -> b.state().isEmpty());
        assertThat(b.calls()).containsExactly("replaceAll 0", "upsert POLICY/p", "remove POLICY/p");
    }

    private HttpResponse<String> rawWatch(int port, String authorization) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(PemTls.trusting(tls.certificate()))
                .version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                + PolicyStreamProtocol.WATCH_PATH)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void wrongMissingOrOtherNodesTokensGet401AndNoData() throws Exception {
        PolicyStreamServer server = server();
        server.upsert(policy("secret-policy", "g"), Set.of("node-a"));
        server.markReady();
        int port = server.address().getPort();

        List<String> refused = List.of(
                PolicyStreamProtocol.authorization("node-a", AgentTokens.tokenFor(SECRET, "node-b")),
                PolicyStreamProtocol.authorization("node-a", AgentTokens.tokenFor("wrong".getBytes(), "node-a")),
                PolicyStreamProtocol.authorization("node-a", ""),
                "Bearer " + AgentTokens.tokenFor(SECRET, "node-a"),
                "Basic bm9kZS1hOnRva2Vu");
        for (String authorization : refused) {
            HttpResponse<String> response = rawWatch(port, authorization);
            assertThat(response.statusCode()).as(authorization).isEqualTo(401);
            assertThat(response.body()).doesNotContain("secret-policy").doesNotContain("SNAPSHOT");
        }
        assertThat(rawWatch(port, null).statusCode()).isEqualTo(401);

        RecordingListener impostor = new RecordingListener();
        PolicyStreamClient client = client(port, "node-a", impostor, tls.certificate(),
                AgentTokens.tokenFor(SECRET, "node-b"));
        Eventually.until("refused twice", () -> client.connections() >= 2);
        assertThat(impostor.calls()).isEmpty();
        assertThat(client.synced()).isFalse();
    }

    @Test
    void watchesWait503UntilTheComputationIsReady() throws Exception {
        PolicyStreamServer server = server();
        server.upsert(policy("p", "g"), Set.of("node-a"));
        int port = server.address().getPort();

        assertThat(rawWatch(port, PolicyStreamProtocol.authorization("node-a", AgentTokens.tokenFor(SECRET, "node-a")))
                .statusCode()).isEqualTo(503);

        RecordingListener a = new RecordingListener();
        PolicyStreamClient client = client(port, "node-a", a);
        Eventually.until("tried", () -> client.connections() >= 1);
        assertThat(a.calls()).isEmpty();
        server.markReady();
        Eventually.until("synced", client::synced);
        assertThat(a.calls()).containsExactly("replaceAll 1");
    }

    @Test
    void aServerCertificateNotSignedByTheConfiguredCaIsRefused() throws Exception {
        PolicyStreamServer server = server();
        server.upsert(policy("p", "g"), Set.of("node-a"));
        server.markReady();
        TestTls other = TestTls.generate(dir, "someone-else");
        int port = server.address().getPort();

        HttpClient http = HttpClient.newBuilder().sslContext(PemTls.trusting(other.certificate())).build();
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                + PolicyStreamProtocol.WATCH_PATH)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);

        RecordingListener a = new RecordingListener();
        TcpProxy proxy = proxy(port);
        PolicyStreamClient client = client(proxy.port(), "node-a", a, other.certificate(),
                AgentTokens.tokenFor(SECRET, "node-a"));
        Eventually.until("several attempts", () -> proxy.accepted() >= 3);
        assertThat(client.connections()).isZero();
        assertThat(a.calls()).isEmpty();
    }

    @Test
    void aReconnectingAgentGetsOnlyTheEventsItMissed() throws Exception {
        PolicyStreamServer server = server();
        server.upsert(policy("p1", "g"), Set.of("node-a"));
        server.markReady();
        TcpProxy proxy = proxy(server.address().getPort());
        RecordingListener a = new RecordingListener();
        PolicyStreamClient client = client(proxy.port(), "node-a", a);
        Eventually.until("synced", client::synced);

        proxy.down(true);
        server.upsert(policy("p2", "g"), Set.of("node-a"));
        server.upsert(policy("other", "g"), Set.of("node-b"));
        server.remove(policyKey("p1"));
        Eventually.until("the client noticed", () -> proxy.accepted() >= 2);
        proxy.down(false);

        Eventually.until("caught up", () -> a.state().keySet().equals(Set.of(policyKey("p2"))));
        assertThat(a.calls()).containsExactly("replaceAll 1", "upsert POLICY/p2", "remove POLICY/p1");
        assertThat(a.snapshots()).isEqualTo(1);
        assertThat(client.connections()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void heartbeatsMoveTheResumePointPastOtherNodesChanges() throws Exception {
        PolicyStreamServer server = new PolicyStreamServer(new AgentApiSettings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), tls.certificate(), tls.privateKey(),
                secretFile), new StreamServerTiming(HEARTBEAT, 2, 10_000)).start();
        closeables.add(server);
        server.markReady();
        TcpProxy proxy = proxy(server.address().getPort());
        RecordingListener a = new RecordingListener();
        PolicyStreamClient client = client(proxy.port(), "node-a", a);
        Eventually.until("synced", client::synced);
        for (int i = 0; i < 5; i++) {
            server.upsert(policy("b" + i, "g"), Set.of("node-b"));
        }
        String current = server.currentVersion();
        Eventually.until("heartbeat carried " + current, () -> client.resourceVersion().orElse("").equals(current));

        proxy.cutAll();
        server.upsert(policy("p", "g"), Set.of("node-a"));
        Eventually.until("resumed", () -> a.state().containsKey(policyKey("p")));
        assertThat(a.calls()).containsExactly("replaceAll 0", "upsert POLICY/p");
    }

    @Test
    void aResumePointTooOldForTheHistoryGetsASnapshot() throws Exception {
        PolicyStreamServer server = new PolicyStreamServer(new AgentApiSettings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), tls.certificate(), tls.privateKey(),
                secretFile), new StreamServerTiming(HEARTBEAT, 2, 10_000)).start();
        closeables.add(server);
        server.upsert(policy("p0", "g"), Set.of("node-a"));
        server.markReady();
        TcpProxy proxy = proxy(server.address().getPort());
        RecordingListener a = new RecordingListener();
        PolicyStreamClient client = client(proxy.port(), "node-a", a);
        Eventually.until("synced", client::synced);

        proxy.down(true);
        for (int i = 1; i <= 3; i++) {
            server.upsert(policy("p" + i, "g"), Set.of("node-a"));
        }
        server.remove(policyKey("p0"));
        proxy.down(false);

        Eventually.until("second snapshot", () -> a.snapshots() == 2);
        assertThat(a.calls()).containsExactly("replaceAll 1", "replaceAll 3");
        assertThat(a.state()).containsOnlyKeys(policyKey("p1"), policyKey("p2"), policyKey("p3"));
    }

    @Test
    void afterAControllerRestartTheAgentGetsASnapshotAndDropsStaleObjects() throws Exception {
        PolicyStreamServer first = server();
        first.upsert(policy("kept", "g"), Set.of("node-a"));
        first.upsert(policy("stale", "g"), Set.of("node-a"));
        first.markReady();
        TcpProxy proxy = proxy(first.address().getPort());
        RecordingListener a = new RecordingListener();
        PolicyStreamClient client = client(proxy.port(), "node-a", a);
        Eventually.until("synced", client::synced);
        String before = client.resourceVersion().orElseThrow();

        PolicyStreamServer second = server();
        second.upsert(policy("kept", "g"), Set.of("node-a"));
        second.upsert(policy("new", "g"), Set.of("node-a"));
        second.markReady();
        proxy.target(second.address().getPort());
        first.close();

        Eventually.until("second snapshot", () -> a.snapshots() == 2);
        assertThat(a.state()).containsOnlyKeys(policyKey("kept"), policyKey("new"));
        assertThat(a.calls()).containsExactly("replaceAll 2", "replaceAll 2");
        assertThat(client.resourceVersion().orElseThrow()).isNotEqualTo(before).isEqualTo(second.currentVersion());
    }

    @Test
    void aSilentConnectionIsDetectedByTheMissingHeartbeatsAndReplaced() throws Exception {
        // A longer heartbeat than the other tests: a loaded test machine must not stall past 3 intervals.
        Duration heartbeat = Duration.ofSeconds(1);
        PolicyStreamServer server = new PolicyStreamServer(new AgentApiSettings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), tls.certificate(), tls.privateKey(),
                secretFile), new StreamServerTiming(heartbeat, 1000, 10_000)).start();
        closeables.add(server);
        server.markReady();
        TcpProxy proxy = proxy(server.address().getPort());
        RecordingListener a = new RecordingListener();
        PolicyStreamClient client = client(proxy.port(), "node-a", a);
        Eventually.until("synced", client::synced);
        // More than three heartbeat intervals pass without a reconnection while the connection is alive.
        Thread.sleep(heartbeat.multipliedBy(4).toMillis());
        assertThat(client.connections()).isEqualTo(1);

        proxy.freezeAll();
        server.upsert(policy("p", "g"), Set.of("node-a"));

        Eventually.until("reconnected", Duration.ofSeconds(15), () -> client.connections() >= 2);
        Eventually.until("got p", () -> a.state().containsKey(policyKey("p")));
        assertThat(a.calls()).containsExactly("replaceAll 0", "upsert POLICY/p");
    }

    @Test
    void theTokenFileIsReadAgainAtEachConnection() throws Exception {
        PolicyStreamServer server = server();
        server.upsert(policy("p", "g"), Set.of("node-a"));
        server.markReady();
        RecordingListener a = new RecordingListener();
        PolicyStreamClient client = client(server.address().getPort(), "node-a", a, tls.certificate(), "0000");
        Eventually.until("refused", () -> client.connections() >= 1);
        assertThat(client.synced()).isFalse();

        Files.writeString(dir.resolve("token-node-a"), AgentTokens.tokenFor(SECRET, "node-a"));
        Eventually.until("synced", client::synced);
        assertThat(a.state()).containsOnlyKeys(policyKey("p"));
    }

    @Test
    void unusableTlsFilesAreReportedByName() throws Exception {
        Path traditional = dir.resolve("ec.key");
        Files.writeString(traditional, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        PolicyStreamServer server = new PolicyStreamServer(new AgentApiSettings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), tls.certificate(), traditional,
                secretFile));
        assertThatThrownBy(server::start).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(traditional.toString()).hasMessageContaining("openssl pkcs8 -topk8");

        PolicyStreamServer noCert = new PolicyStreamServer(new AgentApiSettings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), dir.resolve("missing.crt"),
                tls.privateKey(), secretFile));
        assertThatThrownBy(noCert::start).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing.crt");
    }
}
