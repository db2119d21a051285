package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-RPC over one channel: correlates replies with requests by id, times requests out, answers
 * the server's "echo" (RFC 7047 section 4.1.11), sends its own echo when the channel is idle, and
 * hands notifications to a {@link NotificationHandler}. One instance per connection; on channel
 * close every pending request fails with {@link OvsdbDisconnectedException}.
 */
public final class JsonRpcSession extends SimpleChannelInboundHandler<JsonRpcMessage> {

    private static final Logger log = LoggerFactory.getLogger(JsonRpcSession.class);

    /** Receives notifications (e.g. "update") on the channel's event loop, in arrival order. */
    @FunctionalInterface
    public interface NotificationHandler {
        void onNotification(JsonRpcSession session, String method, ArrayNode params);
    }

    private record Pending(long id, String method, CompletableFuture<JsonNode> future, Consumer<JsonNode> inLoop,
                           ScheduledFuture<?>[] timeout) {
    }

    private final String peer;
    private final Executor replyExecutor;
    private final NotificationHandler notifications;
    private final Duration echoTimeout;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private volatile Channel channel;

    /**
     * @param peer          names the server in messages, e.g. {@code unix:/run/openvswitch/db.sock}
     * @param replyExecutor completes request futures (so that callers' continuations never run on the event loop)
     * @param echoTimeout   how long the keepalive echo may take before the connection is dropped
     */
    public JsonRpcSession(String peer, Executor replyExecutor, NotificationHandler notifications, Duration echoTimeout) {
        this.peer = requireNonNull(peer, "peer");
        this.replyExecutor = requireNonNull(replyExecutor, "replyExecutor");
        this.notifications = requireNonNull(notifications, "notifications");
        this.echoTimeout = requireNonNull(echoTimeout, "echoTimeout");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    public Channel channel() {
        return channel;
    }

    public int pendingCount() {
        return pending.size();
    }

    /** Sends a request; the future fails with {@link OvsdbRpcException}, {@link OvsdbTimeoutException} or {@link OvsdbDisconnectedException}. */
    public CompletableFuture<JsonNode> call(String method, ArrayNode params, Duration timeout) {
        return call(method, params, timeout, result -> { });
    }

    /**
     * Like {@link #call(String, ArrayNode, Duration)}, running {@code inLoop} on the event loop with the
     * result before any later message is processed (monitors use it to order their snapshot before updates).
     */
    public CompletableFuture<JsonNode> call(String method, ArrayNode params, Duration timeout, Consumer<JsonNode> inLoop) {
        requireNonNull(method, "method");
        requireNonNull(params, "params");
        requireNonNull(timeout, "timeout");
        requireNonNull(inLoop, "inLoop");
        Channel ch = channel;
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        if (ch == null || !ch.isActive()) {
            future.completeExceptionally(new OvsdbDisconnectedException(
                    "OVSDB " + method + ": not connected to " + peer));
            return future;
        }
        long id = ids.incrementAndGet();
        Pending p = new Pending(id, method, future, inLoop, new ScheduledFuture<?>[1]);
        // The timer exists before the request can be answered, so a reply always finds it to cancel.
        p.timeout()[0] = ch.eventLoop().schedule(() -> onTimeout(p, timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
        pending.put(id, p);
        ch.writeAndFlush(new JsonRpcMessage.Request(LongNode.valueOf(id), method, params)).addListener(f -> {
            if (!f.isSuccess() && pending.remove(id, p)) {
                p.timeout()[0].cancel(false);
                fail(p, new OvsdbDisconnectedException("OVSDB " + method + " (id " + id + "): sending to " + peer
                        + " failed: " + f.cause(), f.cause()));
            }
        });
        return future;
    }

    /** Sends a notification (a request with id null), e.g. "cancel". */
    public void notify(String method, ArrayNode params) {
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(new JsonRpcMessage.Notification(method, params));
        }
    }

    private void onTimeout(Pending p, Duration timeout) {
        if (!pending.remove(p.id(), p)) {
            return;
        }
        if (p.method().equals("transact")) {
            // RFC 7047 4.1.4: ask the server to give up on the transaction rather than leave it queued.
            notify("cancel", JsonNodeFactory.instance.arrayNode().add(p.id()));
        }
        fail(p, new OvsdbTimeoutException("OVSDB " + p.method() + " (id " + p.id() + ") to " + peer
                + ": no reply within " + timeout));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, JsonRpcMessage msg) {
        if (msg instanceof JsonRpcMessage.Response response) {
            onResponse(response);
        } else if (msg instanceof JsonRpcMessage.Request request) {
            onRequest(ctx, request);
        } else {
            JsonRpcMessage.Notification n = (JsonRpcMessage.Notification) msg;
            notifications.onNotification(this, n.method(), n.params());
        }
    }

    private void onResponse(JsonRpcMessage.Response response) {
        JsonNode id = response.id();
        Pending p = id.canConvertToLong() && id.isIntegralNumber() ? pending.remove(id.asLong()) : null;
        if (p == null) {
            log.warn("OVSDB {}: reply with unknown or expired id {} dropped: {}", peer, id, response.toJson());
            return;
        }
        p.timeout()[0].cancel(false);
        if (response.isError()) {
            fail(p, new OvsdbRpcException(p.method(), response.error()));
            return;
        }
        try {
            p.inLoop().accept(response.result());
        } catch (RuntimeException e) {
            fail(p, e);
            return;
        }
        replyExecutor.execute(() -> p.future().complete(response.result()));
    }

    private void onRequest(ChannelHandlerContext ctx, JsonRpcMessage.Request request) {
        if (request.method().equals("echo")) {
            // RFC 7047 4.1.11: reply with the same params.
            ctx.writeAndFlush(JsonRpcMessage.Response.success(request.id(), request.params()));
            return;
        }
        log.warn("OVSDB {}: server sent unsupported request {}", peer, request.method());
        ctx.writeAndFlush(JsonRpcMessage.Response.failure(request.id(),
                JsonNodeFactory.instance.textNode("unknown method " + request.method())));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            call("echo", JsonNodeFactory.instance.arrayNode().add("trellis-keepalive"), echoTimeout)
                    .whenComplete((r, e) -> {
                        if (e != null) {
                            log.warn("OVSDB {}: keepalive echo failed ({}), dropping the connection", peer, e.toString());
                            ctx.close();
                        }
                    });
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        failAll("connection to " + peer + " lost");
        super.channelInactive(ctx);
    }

    /** Fails every pending request, naming it; used on disconnect and close. */
    public void failAll(String reason) {
        for (Pending p : pending.values()) {
            if (pending.remove(p.id(), p)) {
                if (p.timeout()[0] != null) {
                    p.timeout()[0].cancel(false);
                }
                fail(p, new OvsdbDisconnectedException("OVSDB " + p.method() + " (id " + p.id() + "): " + reason
                        + " before the reply arrived"));
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.error("OVSDB {}: closing the connection after a protocol or I/O error", peer, cause);
        ctx.close();
    }

    private void fail(Pending p, Throwable error) {
        replyExecutor.execute(() -> p.future().completeExceptionally(error));
    }
}
