package io.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.trellis.agent.backend.BackendRegistry;
import io.trellis.controlplane.stream.PemTls;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code trellisctl get networkpolicystats} against a local HTTPS stub of the controller's agent API (JDK
 * HttpsServer, openssl-made certificates): what it asks, how it prints, and each failure's message.
 */
class GetNetworkPolicyStatsTest {
    private static final String NODE = "node-1";
    private static final String TOKEN = "0123456789abcdef";
    private static final String STATS_JSON = "{\"rules\":["
            + "{\"namespace\":\"x\",\"name\":\"allow-b\",\"direction\":\"INGRESS\",\"index\":0,\"sessions\":25,"
            + "\"packets\":150,\"bytes\":9876},"
            + "{\"namespace\":\"x\",\"name\":\"allow-b\",\"direction\":\"INGRESS\",\"index\":1,\"sessions\":0,"
            + "\"packets\":0,\"bytes\":0},"
            + "{\"namespace\":\"y\",\"name\":\"egress-dns\",\"direction\":\"EGRESS\",\"index\":0,\"sessions\":1234567,"
            + "\"packets\":7,\"bytes\":12}],"
            + "\"isolationDrops\":[{\"namespace\":\"x\",\"pod\":\"a\",\"direction\":\"INGRESS\",\"packets\":12,"
            + "\"bytes\":720}]}";

    @TempDir
    static Path tls;
    private static TestTls serverTls;
    private static TestTls otherTls;

    @TempDir
    Path dir;

    private HttpsServer server;
    private ExecutorService executor;
    /** What the stub answers: status and body. */
    private volatile int status = 200;
    private volatile String body = STATS_JSON;
    /** Every request the stub saw: method, path with query, Authorization header. */
    private final List<String> requests = new CopyOnWriteArrayList<>();

    private record Run(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void certificates() throws Exception {
        serverTls = TestTls.generate(tls, "controller");
        otherTls = TestTls.generate(tls, "stranger");
    }

    @BeforeEach
    void startStub() throws Exception {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(PemTls.server(serverTls.certificate(), serverTls.privateKey())));
        server.createContext("/", this::handle);
        executor = Executors.newSingleThreadExecutor();
        server.setExecutor(executor);
        server.start();
    }

    @AfterEach
    void stopStub() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                + exchange.getRequestHeaders().getFirst("Authorization"));
        byte[] out = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
        exchange.getResponseBody().write(out);
        exchange.close();
    }

    private String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static Run run(String... args) {
        CommandLine cli = Trellisctl.commandLine(
                () -> BackendRegistry.discover(GetNetworkPolicyStatsTest.class.getClassLoader()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    /** The command with the stub's address, its CA and a NODE:TOKEN file, plus {@code more}. */
    private Run stats(String... more) throws IOException {
        Path token = file("token", NODE + ":" + TOKEN + "\n");
        List<String> args = new java.util.ArrayList<>(List.of("get", "networkpolicystats", "--controller", url(),
                "--ca-file", serverTls.certificate().toString(), "--token-file", token.toString()));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    @Test
    void printsATablePerRuleAndTheIsolationDrops() throws Exception {
        Run r = stats();
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("""
                NAMESPACE  POLICY      DIRECTION  RULE  SESSIONS  PACKETS  BYTES
                x          allow-b     Ingress       0        25      150   9876
                x          allow-b     Ingress       1         0        0      0
                y          egress-dns  Egress        0   1234567        7     12

                Isolation drops (packets of isolated pods that no rule allowed):
                NAMESPACE  POD  DIRECTION  PACKETS  BYTES
                x          a    Ingress         12    720
                """);
        assertThat(requests).containsExactly("GET /v1/policy/stats Bearer " + NODE + ":" + TOKEN);
    }

    @Test
    void jsonIsTheServersAnswerAndTheNamespaceGoesIntoTheQuery() throws Exception {
        Run r = stats("-n", "x", "-o", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(STATS_JSON + System.lineSeparator());
        assertThat(requests).containsExactly("GET /v1/policy/stats?namespace=x Bearer " + NODE + ":" + TOKEN);
    }

    @Test
    void noRulesAndNoDropsSaySo() throws Exception {
        body = "{\"rules\":[],\"isolationDrops\":[]}";
        Run r = stats("--namespace", "z");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("no NetworkPolicy rule statistics in namespace z\n");
    }

    @Test
    void aBareAgentTokenNeedsTheNodeName() throws Exception {
        Path bare = file("agent-token", TOKEN + "\n");
        Run withNode = run("get", "networkpolicystats", "--controller", url(), "--ca-file",
                serverTls.certificate().toString(), "--token-file", bare.toString(), "--node", "node-2", "-o", "json");
        assertThat(withNode.exitCode()).as(withNode.err()).isZero();
        assertThat(requests).containsExactly("GET /v1/policy/stats Bearer node-2:" + TOKEN);

        Run withoutNode = run("get", "networkpolicystats", "--controller", url(), "--ca-file",
                serverTls.certificate().toString(), "--token-file", bare.toString());
        assertThat(withoutNode.exitCode()).isEqualTo(1);
        assertThat(withoutNode.err()).isEqualTo("trellisctl get networkpolicystats: the token file " + bare
                + " holds a bare agent token: give the node it belongs to with --node (or TRELLISCTL_NODE), or write"
                + " NODE:TOKEN into the file\n");
        assertThat(requests).hasSize(1);
    }

    @Test
    void aRefusedTokenNamesTheNodeAndTheFile() throws Exception {
        status = 401;
        body = "missing or invalid agent token";
        Run r = stats();
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("trellisctl get networkpolicystats: the controller at " + url()
                        + " refused the token of node 'node-1' from " + dir.resolve("token"))
                .contains("HTTP 401: missing or invalid agent token")
                .doesNotContain(TOKEN);
    }

    @Test
    void notReadyAndOtherStatusesAreNamed() throws Exception {
        status = 503;
        body = "not ready";
        Run notReady = stats();
        assertThat(notReady.exitCode()).isEqualTo(1);
        assertThat(notReady.err()).contains("is not ready yet (HTTP 503: not ready)");

        status = 404;
        body = "";
        Run notFound = stats();
        assertThat(notFound.exitCode()).isEqualTo(1);
        assertThat(notFound.err()).contains("has no /v1/policy/stats (HTTP 404)");

        status = 500;
        body = "boom";
        Run failed = stats();
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err()).contains("answered HTTP 500: boom");
    }

    @Test
    void anUnreadableAnswerIsAnError() throws Exception {
        body = "{\"rules\":[{\"namespace\":\"x\"}]}";
        Run r = stats();
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("trellisctl get networkpolicystats: the controller at " + url()
                + "/v1/policy/stats answered with unreadable statistics: ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anUntrustedCertificateIsATlsFailure() throws Exception {
        Path token = file("token", NODE + ":" + TOKEN);
        Run r = run("get", "networkpolicystats", "--controller", url(), "--ca-file", otherTls.certificate().toString(),
                "--token-file", token.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("trellisctl get networkpolicystats: TLS with the controller at " + url()
                + " failed (is it served by the agent API, is its certificate signed by the CA in "
                + otherTls.certificate() + " and does it name '127.0.0.1'?): ");
        assertThat(requests).isEmpty();
    }

    @Test
    void anUnreachableControllerIsAConnectionFailure() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Path token = file("token", NODE + ":" + TOKEN);
        Run r = run("get", "networkpolicystats", "--controller", "https://127.0.0.1:" + closedPort, "--ca-file",
                serverTls.certificate().toString(), "--token-file", token.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("trellisctl get networkpolicystats: cannot connect to the controller at "
                + "https://127.0.0.1:" + closedPort + ": ");
    }

    @Test
    void unreadableFilesAreNamed() throws Exception {
        Path token = file("token", NODE + ":" + TOKEN);
        Path notPem = file("ca.crt", "not a certificate");
        Run badCa = run("get", "networkpolicystats", "--controller", url(), "--ca-file", notPem.toString(),
                "--token-file", token.toString());
        assertThat(badCa.exitCode()).isEqualTo(1);
        assertThat(badCa.err()).startsWith("trellisctl get networkpolicystats: --ca-file: " + notPem);

        Path absent = dir.resolve("absent-token");
        Run noToken = run("get", "networkpolicystats", "--controller", url(), "--ca-file",
                serverTls.certificate().toString(), "--token-file", absent.toString());
        assertThat(noToken.exitCode()).isEqualTo(1);
        assertThat(noToken.err()).startsWith("trellisctl get networkpolicystats: cannot read the token file " + absent);

        Path empty = file("empty", "\n");
        Run emptyToken = run("get", "networkpolicystats", "--controller", url(), "--ca-file",
                serverTls.certificate().toString(), "--token-file", empty.toString());
        assertThat(emptyToken.exitCode()).isEqualTo(1);
        assertThat(emptyToken.err()).isEqualTo("trellisctl get networkpolicystats: the token file " + empty
                + " is empty\n");
        assertThat(requests).isEmpty();
    }

    @Test
    void missingOrWrongSettingsAreUsageErrors() throws Exception {
        // The test JVM has none of the TRELLISCTL_* variables set, so nothing fills the options in.
        assertThat(System.getenv("TRELLISCTL_CONTROLLER")).isNull();
        Run none = run("get", "networkpolicystats");
        assertThat(none.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(none.err()).contains("Missing --controller URL (or TRELLISCTL_CONTROLLER), --ca-file FILE (or"
                + " TRELLISCTL_CA_FILE), --token-file FILE (or TRELLISCTL_TOKEN_FILE)",
                "Usage: trellisctl get networkpolicystats");

        Path token = file("token", NODE + ":" + TOKEN);
        Run plain = run("get", "networkpolicystats", "--controller", "http://127.0.0.1:1", "--ca-file",
                serverTls.certificate().toString(), "--token-file", token.toString());
        assertThat(plain.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(plain.err()).contains("controller address 'http://127.0.0.1:1' is not an https://HOST:PORT URL");

        Run format = stats("-o", "yaml");
        assertThat(format.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(format.err()).contains("-o", "yaml");
        assertThat(requests).isEmpty();
    }

    @Test
    void theAliasWorks() throws Exception {
        Path token = file("token", NODE + ":" + TOKEN);
        Run r = run("get", "netpolstats", "--controller", url() + "/", "--ca-file", serverTls.certificate().toString(),
                "--token-file", token.toString(), "-o", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(requests).containsExactly("GET /v1/policy/stats Bearer " + NODE + ":" + TOKEN);
    }
}
