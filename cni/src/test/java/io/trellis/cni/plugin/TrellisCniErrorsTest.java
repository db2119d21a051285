package io.trellis.cni.plugin;

import static io.trellis.cni.plugin.TrellisCniExecutableTest.NETNS;
import static io.trellis.cni.plugin.TrellisCniExecutableTest.assertSpecError;
import static io.trellis.cni.plugin.TrellisCniExecutableTest.env;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.cni.protocol.AgentProtocol;
import io.trellis.cni.server.CniServer;
import io.trellis.cni.spec.CniCommand;
import io.trellis.cni.spec.CniError;
import io.trellis.cni.testing.CniExecutable;
import io.trellis.cni.testing.CniExecutable.Invocation;
import io.trellis.cni.testing.FakeHandler;
import io.trellis.cni.testing.Json;
import io.trellis.cni.testing.SampleResults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input, agent failures and chaining, through the executable. */
@SuppressWarnings("try") // servers held open by try-with-resources only for their lifetime
class TrellisCniErrorsTest {
    @TempDir
    Path dir;
    CniExecutable cni = CniExecutable.trellisCni();

    String config(String version, String extra) {
        return "{\"cniVersion\": \"" + version + "\", \"name\": \"trellis\", \"type\": \"trellis-cni\", \"agentSocket\": \""
                + dir.resolve("cni.sock") + "\"" + extra + "}";
    }

    CniServer agent(FakeHandler handler) throws IOException {
        return CniServer.start(CniServer.Config.at(dir.resolve("cni.sock")), handler);
    }

    // --- malformed stdin ------------------------------------------------------------------------

    @Test
    void stdinThatIsNotJsonIsADecodeErrorWithItsPosition() {
        Invocation run = cni.run(env("ADD"), "{\"cniVersion\": \"1.0.0\",\n \"name\": trellis}");
        assertSpecError(run, "1.1.0", CniError.DECODE_FAILURE, "not valid JSON");
        assertThat(run.stdout()).contains("line 2, column 10");
    }

    @Test
    void emptyStdinAndNonObjectsAreDecodeErrors() {
        assertSpecError(cni.run(env("ADD"), ""), "1.1.0", CniError.DECODE_FAILURE, "no network config on stdin");
        assertSpecError(cni.run(env("DEL"), "[1, 2]"), "1.1.0", CniError.DECODE_FAILURE,
                "expected a JSON object, got array [1,2]");
        assertSpecError(cni.run(env("ADD"), "{\"a\": 1, \"a\": 2}"), "1.1.0", CniError.DECODE_FAILURE,
                "duplicate member name \"a\"");
    }

    @Test
    void unsupportedOrMissingCniVersionIsError1() {
        Invocation old = cni.run(env("ADD"), config("0.2.0", ""));
        assertSpecError(old, "1.1.0", CniError.INCOMPATIBLE_VERSION, "cniVersion \"0.2.0\" is not supported");
        assertThat(Json.object(old.stdout()).get("details")).isEqualTo(
                "trellis-cni supports cniVersion 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0");
        assertSpecError(cni.run(env("ADD"), "{\"name\": \"trellis\"}"), "1.1.0", CniError.INCOMPATIBLE_VERSION,
                "has no cniVersion");
        assertSpecError(cni.run(env("ADD"), "{\"cniVersion\": 1.0, \"name\": \"trellis\"}"), "1.1.0",
                CniError.INCOMPATIBLE_VERSION, "cniVersion is number 1.0");
    }

    @Test
    void aBrokenInstallationStillAnswersWithASpecError() {
        Map<String, String> env = env("ADD");
        env.put("TRELLIS_CNI_JAVA", "/nonexistent/java");
        Invocation run = cni.run(env, config("1.0.0", ""));
        assertSpecError(run, "1.1.0", CniError.AGENT_FAILURE, "trellis-cni: java '/nonexistent/java' is not an executable file");
    }

    // --- environment ----------------------------------------------------------------------------

    @Test
    void missingEnvironmentVariablesAreError4NamingEachOne() {
        Map<String, String> env = env("ADD");
        env.remove("CNI_CONTAINERID");
        env.remove("CNI_NETNS");
        Invocation run = cni.run(env, config("1.0.0", ""));
        assertSpecError(run, "1.0.0", CniError.INVALID_ENVIRONMENT, "missing CNI_CONTAINERID; missing CNI_NETNS");

        Map<String, String> del = env("DEL");
        del.remove("CNI_IFNAME");
        assertSpecError(cni.run(del, config("0.4.0", "")), "0.4.0", CniError.INVALID_ENVIRONMENT, "missing CNI_IFNAME");
    }

    @Test
    void missingOrUnknownCommandIsError4() {
        assertSpecError(cni.run(Map.of(), config("1.0.0", "")), "1.1.0", CniError.INVALID_ENVIRONMENT,
                "missing environment variable CNI_COMMAND");
        assertSpecError(cni.run(Map.of("CNI_COMMAND", "ATTACH"), config("1.0.0", "")), "1.1.0",
                CniError.INVALID_ENVIRONMENT, "CNI_COMMAND='ATTACH'");
    }

    @Test
    void invalidInterfaceNameContainerIdAndArgsAreError4WithTheirValues() {
        Map<String, String> env = env("ADD");
        env.put("CNI_IFNAME", "eth0:1");
        env.put("CNI_CONTAINERID", "-abc");
        env.put("CNI_ARGS", "K8S_POD_NAME=a;garbage");
        Invocation run = cni.run(env, config("1.0.0", ""));
        assertSpecError(run, "1.0.0", CniError.INVALID_ENVIRONMENT, "CNI_CONTAINERID='-abc'");
        assertThat(run.stdout()).contains("CNI_IFNAME='eth0:1' must not contain").contains("the pair 'garbage'");

        env = env("ADD");
        env.put("CNI_IFNAME", "a-very-long-name0");
        assertSpecError(cni.run(env, config("1.0.0", "")), "1.0.0", CniError.INVALID_ENVIRONMENT,
                "CNI_IFNAME='a-very-long-name0' is longer than 15 characters");
    }

    // --- network config -------------------------------------------------------------------------

    @Test
    void invalidConfigMembersAreError7NamingFieldAndValue() {
        assertSpecError(cni.run(env("ADD"), "{\"cniVersion\": \"1.0.0\"}"), "1.0.0", CniError.INVALID_CONFIG,
                "field 'name': is required");
        assertSpecError(cni.run(env("ADD"), "{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"agentSocket\": \"run/x.sock\"}"),
                "1.0.0", CniError.INVALID_CONFIG, "field 'agentSocket': must be an absolute path, got \"run/x.sock\"");
        assertSpecError(cni.run(env("ADD"), config("1.0.0", ", \"agentTimeoutSeconds\": \"soon\"")), "1.0.0",
                CniError.INVALID_CONFIG, "field 'agentTimeoutSeconds': expected an integer, got string \"soon\"");
        assertSpecError(cni.run(env("DEL"), config("1.0.0", ", \"prevResult\": {\"ips\": [{\"address\": \"10.0.0.300/24\"}]}")),
                "1.0.0", CniError.INVALID_CONFIG, "field 'prevResult.ips[0].address': '10.0.0.300' is not an IP address");
        assertSpecError(cni.run(env("DEL"), config("0.4.0", ", \"prevResult\": {\"ips\": [{\"version\": \"6\", \"address\": \"10.0.0.3/24\"}]}")),
                "0.4.0", CniError.INVALID_CONFIG, "field 'prevResult.ips[0].version': is \"6\" but address 10.0.0.3/24 is IPv4");
        assertSpecError(cni.run(env("CHECK"), config("1.0.0", "")), "1.0.0", CniError.INVALID_CONFIG,
                "field 'prevResult': is required for CHECK");
        assertSpecError(cni.run(Map.of("CNI_COMMAND", "GC"), config("1.1.0", "")), "1.1.0", CniError.INVALID_CONFIG,
                "field 'cni.dev/valid-attachments': is required for GC");
        assertSpecError(cni.run(Map.of("CNI_COMMAND", "GC"), config("1.1.0", ", \"cni.dev/valid-attachments\": [{\"containerID\": \"c\"}]")),
                "1.1.0", CniError.INVALID_CONFIG, "field 'cni.dev/valid-attachments[0].ifname': is required");
    }

    // --- chaining -------------------------------------------------------------------------------

    @Test
    void addAfterAnotherPluginAppendsToItsResultAndKeepsWhatItCarried() throws IOException {
        String prev = "{\"cniVersion\": \"1.0.0\", \"interfaces\": [{\"name\": \"lo\", \"sandbox\": \"" + NETNS + "\"}],"
                + " \"ips\": [{\"address\": \"127.0.0.1/8\", \"interface\": 0}],"
                + " \"dns\": {\"nameservers\": [\"1.1.1.1\"]}, \"x-vendor\": {\"kept\": true}}";
        FakeHandler handler = new FakeHandler(SampleResults.dualStack(NETNS));
        try (CniServer ignored = agent(handler)) {
            Invocation run = cni.run(env("ADD"), config("1.0.0", ", \"prevResult\": " + prev));

            assertThat(run.exitCode()).as("%s", run).isZero();
            Map<String, Object> out = Json.object(run.stdout());
            assertThat(out.get("x-vendor")).isEqualTo(Map.of("kept", true));
            assertThat(Json.objects(out, "interfaces")).extracting(i -> i.get("name"))
                    .containsExactly("lo", "vethab12cd34", "eth0");
            assertThat(Json.objects(out, "ips")).extracting(i -> i.get("address") + "@" + i.get("interface"))
                    .containsExactly("127.0.0.1/8@0", "10.10.1.5/24@2", "fd00:10:1::5/64@2");
            assertThat(Json.member(out, "dns")).isEqualTo(Map.of("nameservers", List.of("1.1.1.1")));
            assertThat(handler.last().prevResult()).hasValueSatisfying(p ->
                    assertThat(p.interfaces()).extracting(i -> i.name()).containsExactly("lo"));
        }
    }

    // --- the agent ------------------------------------------------------------------------------

    @Test
    void agentDownIsTryAgainLaterForEveryCommandButStatusWhichIsNotAvailable() {
        String prev = ", \"prevResult\": {\"cniVersion\": \"1.1.0\"}, \"cni.dev/valid-attachments\": []";
        for (String command : List.of("ADD", "DEL", "CHECK", "GC")) {
            Invocation run = cni.run(env(command), config("1.1.0", prev));
            assertSpecError(run, "1.1.0", CniError.TRY_AGAIN_LATER, "trellis agent unreachable, try again later");
            assertThat(run.stdout()).contains("connect to " + dir.resolve("cni.sock"));
        }
        assertSpecError(cni.run(Map.of("CNI_COMMAND", "STATUS"), config("1.1.0", "")), "1.1.0", CniError.NOT_AVAILABLE,
                "trellis agent unreachable");
    }

    @Test
    void theAgentsErrorsReachTheRuntimeAndDelOfAnUnknownContainerSucceeds() throws IOException {
        FakeHandler handler = new FakeHandler(SampleResults.dualStack(NETNS)).failWith(r -> {
            if (r.command() == CniCommand.DEL) {
                return new CniError(CniError.UNKNOWN_CONTAINER, "no attachment 3f6940ab5ab4/eth0");
            }
            if (r.command() == CniCommand.ADD) {
                return new CniError(CniError.TRY_AGAIN_LATER, "agent still synchronising", "pod CIDR not known yet");
            }
            throw new IllegalStateException("handler bug");
        });
        try (CniServer ignored = agent(handler)) {
            Invocation add = cni.run(env("ADD"), config("1.0.0", ""));
            assertSpecError(add, "1.0.0", CniError.TRY_AGAIN_LATER, "agent still synchronising");
            assertThat(Json.object(add.stdout()).get("details")).isEqualTo("pod CIDR not known yet");

            Invocation del = cni.run(env("DEL"), config("1.0.0", ""));
            assertThat(del.exitCode()).as("%s", del).isZero();
            assertThat(del.stdout()).isEmpty();

            Invocation check = cni.run(env("CHECK"), config("1.0.0", ", \"prevResult\": {}"));
            assertSpecError(check, "1.0.0", CniError.AGENT_FAILURE, "CHECK failed: java.lang.IllegalStateException: handler bug");
        }
    }

    @Test
    void anUnreadableReplyIsError101() throws Exception {
        try (ServerSocketChannel fake = listen()) {
            Thread t = answerOnce(fake, "HTTP/1.1 400 Bad Request\n");
            Invocation run = cni.run(env("ADD"), config("1.0.0", ""));
            t.join();
            assertSpecError(run, "1.0.0", CniError.AGENT_PROTOCOL, "unreadable reply from the trellis agent");
            assertThat(run.stdout()).contains("reply is not a JSON object");
        }
    }

    @Test
    void anAgentThatHangsUpOrDoesNotAnswerInTimeIsTryAgainLater() throws Exception {
        try (ServerSocketChannel fake = listen()) {
            Thread t = answerOnce(fake, null);
            Invocation run = cni.run(env("ADD"), config("1.0.0", ""));
            t.join();
            assertSpecError(run, "1.0.0", CniError.TRY_AGAIN_LATER, "try again later");
            assertThat(run.stdout()).contains("hung up without answering");
        }
        try (ServerSocketChannel silent = listen()) {
            CountDownLatch done = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                try (SocketChannel c = silent.accept()) {
                    done.await();
                } catch (IOException | InterruptedException ignored) {
                    // the test is over
                }
            });
            t.start();
            long start = System.nanoTime();
            Invocation run = cni.run(env("ADD"), config("1.0.0", ", \"agentTimeoutSeconds\": 1"));
            done.countDown();
            t.join();
            assertSpecError(run, "1.0.0", CniError.TRY_AGAIN_LATER, "try again later");
            assertThat(run.stdout()).contains("did not answer within 1s");
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(1000);
        }
    }

    private ServerSocketChannel listen() throws IOException {
        // Closing a Unix server channel leaves its socket file behind.
        java.nio.file.Files.deleteIfExists(dir.resolve("cni.sock"));
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(dir.resolve("cni.sock")));
        return s;
    }

    /** Accepts one connection, reads the request, then writes {@code reply} (or hangs up when null). */
    private static Thread answerOnce(ServerSocketChannel server, String reply) {
        Thread t = new Thread(() -> {
            try (SocketChannel c = server.accept()) {
                AgentProtocol.readMessage(c);
                if (reply != null) {
                    c.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        t.start();
        return t;
    }
}
