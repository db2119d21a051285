package io.trellis.cni.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.cni.protocol.AgentClient;
import io.trellis.cni.protocol.AgentProtocol;
import io.trellis.cni.protocol.CniReply;
import io.trellis.cni.protocol.CniRequest;
import io.trellis.cni.spec.CniCommand;
import io.trellis.cni.spec.CniError;
import io.trellis.cni.testing.FakeHandler;
import io.trellis.cni.testing.SampleResults;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SuppressWarnings("try") // servers held open by try-with-resources only for their lifetime
class CniServerTest {
    @TempDir
    Path dir;

    static CniRequest add(String containerId) {
        return new CniRequest(CniCommand.ADD, "1.0.0", "trellis", Optional.of(containerId), Optional.of("eth0"),
                Optional.of("/var/run/netns/" + containerId), Map.of(), "{}", Optional.empty(), List.of());
    }

    @Test
    void servesConcurrentClientsThroughTheHandler() throws Exception {
        FakeHandler handler = new FakeHandler(SampleResults.dualStack("/p"));
        Path socket = dir.resolve("run/trellis/cni.sock");
        try (CniServer server = CniServer.start(CniServer.Config.at(socket), handler)) {
            assertThat(Files.getPosixFilePermissions(socket)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            AgentClient client = new AgentClient(socket, Duration.ofSeconds(10));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<CniReply>> replies = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                String id = "c" + i;
                replies.add(pool.submit((Callable<CniReply>) () -> client.call(add(id))));
            }
            for (Future<CniReply> f : replies) {
                assertThat(f.get()).isEqualTo(CniReply.success(SampleResults.dualStack("/p")));
            }
            pool.shutdown();
            assertThat(handler.requests).hasSize(32);
            assertThat(handler.requests).extracting(r -> r.containerId().orElseThrow()).doesNotHaveDuplicates();
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void replacesAStaleSocketFileAndAnswersGarbageWithError6() throws Exception {
        Path socket = dir.resolve("cni.sock");
        Files.writeString(socket, "left over by a crashed agent");
        try (CniServer server = CniServer.start(CniServer.Config.at(socket), new FakeHandler(SampleResults.dualStack("/p")));
             SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            AgentProtocol.writeMessage(c, "{\"protocol\":1,\"command\":\"ADD\"}");
            CniReply reply = AgentProtocol.decodeReply(AgentProtocol.readMessage(c));
            assertThat(reply).isInstanceOfSatisfying(CniReply.Failure.class, f -> {
                assertThat(f.error().code()).isEqualTo(CniError.DECODE_FAILURE);
                assertThat(f.error().details()).hasValueSatisfying(d -> assertThat(d).contains("field 'cniVersion': is required"));
            });
        }
    }

    @Test
    void aHandlerBugBecomesError100AndTheServerKeepsServing() throws Exception {
        FakeHandler handler = new FakeHandler(SampleResults.dualStack("/p")).failWith(r -> {
            if (r.containerId().orElseThrow().equals("boom")) {
                throw new IllegalStateException("handler bug");
            }
            return null;
        });
        try (CniServer server = CniServer.start(CniServer.Config.at(dir.resolve("cni.sock")), handler)) {
            AgentClient client = new AgentClient(server.socketPath(), Duration.ofSeconds(10));
            assertThat(client.call(add("boom"))).isInstanceOfSatisfying(CniReply.Failure.class, f -> {
                assertThat(f.error().code()).isEqualTo(CniError.AGENT_FAILURE);
                assertThat(f.error().msg()).isEqualTo("trellis agent: ADD failed: java.lang.IllegalStateException: handler bug");
            });
            assertThat(client.call(add("fine"))).isInstanceOf(CniReply.Success.class);
        }
    }

    @Test
    void aClientThatNeverSendsIsDisconnectedAfterTheReadTimeout() throws Exception {
        CniServer.Config config = new CniServer.Config(dir.resolve("cni.sock"), 1, Duration.ofMillis(300));
        try (CniServer server = CniServer.start(config, new FakeHandler(SampleResults.dualStack("/p")));
             SocketChannel idle = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            idle.connect(UnixDomainSocketAddress.of(server.socketPath()));
            // With one worker, this call only gets through once the idle client has been dropped.
            CniReply reply = new AgentClient(server.socketPath(), Duration.ofSeconds(10)).call(add("after-idle"));
            assertThat(reply).isInstanceOf(CniReply.Success.class);
            assertThat(idle.read(java.nio.ByteBuffer.allocate(1))).isEqualTo(-1);
        }
    }
}
