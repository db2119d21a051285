package io.trellis.ovs.ovsdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.json.JsonObjectDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JsonRpcSessionTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final List<String> notifications = new ArrayList<>();
    private JsonRpcSession session;
    private EmbeddedChannel ch;

    @BeforeEach
    void setUp() {
        session = new JsonRpcSession("unix:/test/db.sock", Runnable::run,
                (s, method, params) -> notifications.add(method + " " + params), Duration.ofSeconds(2));
        ch = new EmbeddedChannel(new JsonObjectDecoder(1 << 20), new JsonRpcCodec(), session);
        ch.freezeTime();
    }

    private void serverSends(String json) {
        ch.writeInbound(Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
    }

    private JsonNode clientSent() throws Exception {
        ByteBuf buf = ch.readOutbound();
        assertThat(buf).as("a message from the client").isNotNull();
        try {
            return MAPPER.readTree(buf.toString(StandardCharsets.UTF_8));
        } finally {
            buf.release();
        }
    }

    private static Throwable failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.get();
            throw new AssertionError("not failed");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void repliesAreMatchedToRequestsByIdInAnyOrder() throws Exception {
        CompletableFuture<JsonNode> dbs = session.call("list_dbs", MAPPER.createArrayNode(), Duration.ofSeconds(5));
        CompletableFuture<JsonNode> schema = session.call("get_schema",
                MAPPER.createArrayNode().add("Open_vSwitch"), Duration.ofSeconds(5));
        JsonNode first = clientSent();
        JsonNode second = clientSent();
        assertThat(first.get("method").asText()).isEqualTo("list_dbs");
        assertThat(second.get("method").asText()).isEqualTo("get_schema");
        assertThat(first.get("id")).isNotEqualTo(second.get("id"));

        serverSends("{\"id\":" + second.get("id") + ",\"result\":{\"name\":\"Open_vSwitch\"},\"error\":null}");
        assertThat(schema).isCompleted();
        assertThat(dbs).isNotDone();
        serverSends("{\"id\":" + first.get("id") + ",\"result\":[\"Open_vSwitch\",\"_Server\"],\"error\":null}");
        assertThat(dbs.get().get(1).asText()).isEqualTo("_Server");
        assertThat(schema.get().get("name").asText()).isEqualTo("Open_vSwitch");
        assertThat(session.pendingCount()).isZero();
    }

    @Test
    void anErrorReplyFailsTheCallWithTheServersError() throws Exception {
        CompletableFuture<JsonNode> f = session.call("get_schema", MAPPER.createArrayNode().add("nope"),
                Duration.ofSeconds(5));
        serverSends("{\"id\":" + clientSent().get("id") + ",\"result\":null,\"error\":\"unknown database\"}");
        assertThat(failure(f)).isInstanceOf(OvsdbRpcException.class)
                .hasMessage("OVSDB get_schema failed: \"unknown database\"");
    }

    @Test
    void aCallWithoutReplyTimesOutAndATransactIsCancelled() throws Exception {
        CompletableFuture<JsonNode> f = session.call("transact", MAPPER.createArrayNode().add("Open_vSwitch"),
                Duration.ofMillis(500));
        JsonNode request = clientSent();
        ch.advanceTimeBy(499, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(f).isNotDone();
        ch.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(failure(f)).isInstanceOf(OvsdbTimeoutException.class)
                .hasMessageContaining("transact (id " + request.get("id") + ")")
                .hasMessageContaining("no reply within PT0.5S");
        // RFC 7047 4.1.4 cancel notification for the abandoned transaction
        assertThat(clientSent()).isEqualTo(MAPPER.readTree("{\"method\":\"cancel\",\"params\":["
                + request.get("id") + "],\"id\":null}"));
        // A late reply is dropped without harm.
        serverSends("{\"id\":" + request.get("id") + ",\"result\":[],\"error\":null}");
        assertThat(session.pendingCount()).isZero();
    }

    @Test
    void theServersEchoIsAnsweredWithItsParams() throws Exception {
        serverSends("{\"id\":\"echo\",\"method\":\"echo\",\"params\":[\"x\",1]}");
        assertThat(clientSent()).isEqualTo(MAPPER.readTree("{\"result\":[\"x\",1],\"error\":null,\"id\":\"echo\"}"));
    }

    @Test
    void anUnknownServerRequestGetsAnErrorReply() throws Exception {
        serverSends("{\"id\":9,\"method\":\"frobnicate\",\"params\":[]}");
        JsonNode reply = clientSent();
        assertThat(reply.get("id").asInt()).isEqualTo(9);
        assertThat(reply.get("error").asText()).isEqualTo("unknown method frobnicate");
    }

    @Test
    void notificationsGoToTheHandlerInOrder() {
        serverSends("{\"id\":null,\"method\":\"update\",\"params\":[\"m\",{\"A\":{}}]}");
        serverSends("{\"id\":null,\"method\":\"update2\",\"params\":[\"m\",{\"B\":{}}]}");
        assertThat(notifications).containsExactly("update [\"m\",{\"A\":{}}]", "update2 [\"m\",{\"B\":{}}]");
    }

    @Test
    void idleConnectionSendsAnEchoAndIsDroppedWhenItIsNotAnswered() throws Exception {
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        JsonNode echo = clientSent();
        assertThat(echo.get("method").asText()).isEqualTo("echo");
        assertThat(ch.isActive()).isTrue();
        ch.advanceTimeBy(2001, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.runPendingTasks();
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void idleEchoAnsweredKeepsTheConnection() throws Exception {
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        JsonNode echo = clientSent();
        serverSends("{\"id\":" + echo.get("id") + ",\"result\":" + echo.get("params") + ",\"error\":null}");
        ch.advanceTimeBy(5, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void closingTheChannelFailsPendingCallsNamingThem() throws Exception {
        CompletableFuture<JsonNode> f = session.call("monitor", MAPPER.createArrayNode(), Duration.ofSeconds(5));
        ch.close();
        assertThat(failure(f)).isInstanceOf(OvsdbDisconnectedException.class)
                .hasMessageContaining("OVSDB monitor (id 1): connection to unix:/test/db.sock lost");
        CompletableFuture<JsonNode> after = session.call("echo", MAPPER.createArrayNode(), Duration.ofSeconds(5));
        assertThat(failure(after)).isInstanceOf(OvsdbDisconnectedException.class)
                .hasMessageContaining("not connected to unix:/test/db.sock");
    }

    @Test
    void inLoopHookSeesTheResultBeforeTheFutureCompletes() throws Exception {
        List<String> order = new ArrayList<>();
        ArrayNode params = MAPPER.createArrayNode();
        CompletableFuture<JsonNode> f = session.call("monitor", params, Duration.ofSeconds(5),
                result -> order.add("hook " + result));
        f.thenRun(() -> order.add("future"));
        serverSends("{\"id\":" + clientSent().get("id") + ",\"result\":{},\"error\":null}");
        assertThat(order).containsExactly("hook {}", "future");
    }
}
