package io.trellis.ovs.openflow.client;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.message.MalformedMessageException;
import io.trellis.ovs.openflow.message.BarrierReply;
import io.trellis.ovs.openflow.message.BarrierRequest;
import io.trellis.ovs.openflow.message.BundleAdd;
import io.trellis.ovs.openflow.message.BundleControl;
import io.trellis.ovs.openflow.message.BundleControlType;
import io.trellis.ovs.openflow.message.EchoReply;
import io.trellis.ovs.openflow.message.ErrorMessage;
import io.trellis.ovs.openflow.message.FeaturesReply;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowStats;
import io.trellis.ovs.openflow.message.FlowStatsRequest;
import io.trellis.ovs.openflow.message.GroupDesc;
import io.trellis.ovs.openflow.message.GroupDescRequest;
import io.trellis.ovs.openflow.message.GroupMod;
import io.trellis.ovs.openflow.message.GroupStats;
import io.trellis.ovs.openflow.message.GroupStatsRequest;
import io.trellis.ovs.openflow.message.MultipartRequest;
import io.trellis.ovs.openflow.message.OfMessage;
import io.trellis.ovs.openflow.message.OfMessageBatch;
import io.trellis.ovs.openflow.message.OfMessageDecoder;
import io.trellis.ovs.openflow.message.OfMessageEncoder;
import io.trellis.ovs.openflow.message.PacketInMessage;
import io.trellis.ovs.openflow.message.PacketOut;
import io.trellis.ovs.transport.Endpoint;
import io.trellis.ovs.transport.NettyTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenFlow controller connection to one OVS bridge (normally its {@code <bridge>.mgmt} Unix
 * socket), over the shared {@link NettyTransport}.
 *
 * <p>{@link #connect()} negotiates the version (1.5, else 1.3) and reads the features. Requests
 * are correlated by xid with per-request timeouts; an OFPT_ERROR for a request fails its future
 * with {@link OpenFlowErrorException}. Once connected, a lost connection fails every pending
 * request with {@link OpenFlowDisconnectedException}, reports {@link ConnectionState#DISCONNECTED}
 * and reconnects with backoff; {@link ConnectionState#CONNECTED} tells listeners to resync.
 *
 * <p>Listeners run on the Netty event loop and must not block. All methods are thread-safe.
 */
public final class OpenFlowClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpenFlowClient.class);

    /** Messages per encoded buffer (and per flush) when writing batches. */
    private static final int BATCH_CHUNK = 1024;

    private final NettyTransport transport;
    private final Endpoint endpoint;
    private final OpenFlowClientConfig config;
    private final PendingRequests pending;
    private final AtomicInteger xids = new AtomicInteger();
    private final AtomicInteger bundleIds = new AtomicInteger();
    private final List<Consumer<PacketInMessage>> packetInListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<ConnectionState>> connectionListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<OfMessage>> messageListeners = new CopyOnWriteArrayList<>();

    private final Object lock = new Object();
    private volatile Channel channel;
    private volatile OfVersion version;
    private volatile FeaturesReply features;
    private volatile boolean closed;
    private CompletableFuture<FeaturesReply> firstConnect;
    private boolean everConnected;
    private int reconnectAttempt;
    private Channel connecting;

    public OpenFlowClient(NettyTransport transport, Endpoint endpoint, OpenFlowClientConfig config) {
        this.transport = requireNonNull(transport, "transport");
        this.endpoint = requireNonNull(endpoint, "endpoint");
        this.config = requireNonNull(config, "config");
        this.pending = new PendingRequests(transport.group());
    }

    // ---------------------------------------------------------------- connection

    /**
     * Connects and negotiates. The future completes with the switch's features, or fails if this
     * first attempt fails (socket missing, no common version: the message says which). After a
     * successful connect, later losses are repaired automatically until {@link #close()}.
     */
    public CompletableFuture<FeaturesReply> connect() {
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new OpenFlowDisconnectedException("client for " + endpoint
                        + " is closed"));
            }
            if (firstConnect != null && !firstConnect.isCompletedExceptionally()) {
                return firstConnect;
            }
            firstConnect = new CompletableFuture<>();
            attempt();
            return firstConnect;
        }
    }

    private void attempt() {
        ChannelFuture f = transport.connect(endpoint, config.connectTimeout(), new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                OfMessageEncoder encoder = new OfMessageEncoder(highestOffered());
                ch.pipeline().addLast(
                        new IdleStateHandler(config.echoInterval().toMillis(), 0, 0, TimeUnit.MILLISECONDS),
                        new OfMessageDecoder(),
                        encoder,
                        new OpenFlowChannelHandler(config, encoder, OpenFlowClient.this::nextXid,
                                () -> pending.size() > 0, new ChannelEvents(),
                                endpoint.toString()));
            }
        });
        synchronized (lock) {
            connecting = f.channel();
        }
        f.addListener(done -> {
            if (!done.isSuccess()) {
                connectionFailed(new OpenFlowDisconnectedException("cannot connect to " + endpoint + ": "
                        + done.cause().getMessage(), done.cause()));
            }
        });
    }

    private OfVersion highestOffered() {
        OfVersion best = config.versions().get(0);
        for (OfVersion v : config.versions()) {
            if (v.wireVersion() > best.wireVersion()) {
                best = v;
            }
        }
        return best;
    }

    /** A connect attempt or handshake failed before the connection was established. */
    private void connectionFailed(Throwable cause) {
        CompletableFuture<FeaturesReply> first;
        synchronized (lock) {
            connecting = null;
            if (closed) {
                return;
            }
            if (!everConnected) {
                first = firstConnect;
            } else {
                first = null;
                LOG.warn("OpenFlow {}: reconnect attempt {} failed: {}", endpoint, reconnectAttempt, cause.getMessage());
                scheduleReconnect();
            }
        }
        if (first != null) {
            first.completeExceptionally(cause);
        }
    }

    private void scheduleReconnect() {
        Duration delay = config.backoff().delay(reconnectAttempt);
        reconnectAttempt = Math.min(reconnectAttempt + 1, 30);
        transport.group().schedule(() -> {
            synchronized (lock) {
                if (closed || channel != null) {
                    return;
                }
            }
            attempt();
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Events from the per-connection handler, on the event loop. */
    private final class ChannelEvents implements OpenFlowChannelHandler.Listener {
        @Override
        public void established(Channel ch, OfVersion negotiated, FeaturesReply reply) {
            CompletableFuture<FeaturesReply> first;
            synchronized (lock) {
                if (closed) {
                    ch.close();
                    return;
                }
                connecting = null;
                channel = ch;
                version = negotiated;
                features = reply;
                everConnected = true;
                reconnectAttempt = 0;
                first = firstConnect;
            }
            LOG.info("OpenFlow {}: connected, {} dpid={}", endpoint, negotiated.ovsName(),
                    String.format("%016x", reply.datapathId()));
            // Listeners hear of the connection before connect()'s future completes, so one added
            // after connect() returned sees only later changes, never this first CONNECTED.
            notifyConnection(ConnectionState.CONNECTED);
            first.complete(reply);
        }

        @Override
        public void message(OfMessage message) {
            dispatch(message);
        }

        @Override
        public void malformed(MalformedMessageException error) {
            pending.fail(error.xid(), new OpenFlowException("cannot decode the reply from " + endpoint + ": "
                    + error.getMessage(), error));
        }

        @Override
        public void closed(Channel ch, boolean wasEstablished, Throwable handshakeFailure) {
            if (!wasEstablished) {
                connectionFailed(handshakeFailure);
                return;
            }
            synchronized (lock) {
                if (channel != ch) {
                    return;
                }
                channel = null;
            }
            String why = closed ? "client closed" : "connection to " + endpoint + " lost";
            pending.failAll(new OpenFlowDisconnectedException(why));
            if (!closed) {
                LOG.warn("OpenFlow {}: connection lost; reconnecting", endpoint);
            }
            notifyConnection(ConnectionState.DISCONNECTED);
            synchronized (lock) {
                if (!closed) {
                    scheduleReconnect();
                }
            }
        }
    }

    private void notifyConnection(ConnectionState state) {
        for (Consumer<ConnectionState> l : connectionListeners) {
            try {
                l.accept(state);
            } catch (RuntimeException e) {
                LOG.error("OpenFlow {}: connection listener failed on {}", endpoint, state, e);
            }
        }
    }

    private void dispatch(OfMessage message) {
        if (message instanceof PacketInMessage packetIn) {
            for (Consumer<PacketInMessage> l : packetInListeners) {
                try {
                    l.accept(packetIn);
                } catch (RuntimeException e) {
                    LOG.error("OpenFlow {}: packet-in listener failed", endpoint, e);
                }
            }
            return;
        }
        if (pending.onMessage(message) || message instanceof EchoReply) {
            // An echo reply nobody waits for answers our keepalive; any message resets that timer.
            return;
        }
        if (message instanceof ErrorMessage error) {
            LOG.warn("OpenFlow {}: error for xid 0x{} with no pending request: {}", endpoint,
                    Integer.toHexString(error.xid()), error.text());
        } else {
            LOG.debug("OpenFlow {}: unsolicited {}", endpoint, message);
        }
        for (Consumer<OfMessage> l : messageListeners) {
            try {
                l.accept(message);
            } catch (RuntimeException e) {
                LOG.error("OpenFlow {}: message listener failed", endpoint, e);
            }
        }
    }

    public void addConnectionListener(Consumer<ConnectionState> listener) {
        connectionListeners.add(requireNonNull(listener, "listener"));
    }

    /** Standard packet-ins and NXT_PACKET_IN2. */
    public void addPacketInListener(Consumer<PacketInMessage> listener) {
        packetInListeners.add(requireNonNull(listener, "listener"));
    }

    /** Stops calling a listener added by {@link #addPacketInListener}; an unknown one is ignored. */
    public void removePacketInListener(Consumer<PacketInMessage> listener) {
        packetInListeners.remove(requireNonNull(listener, "listener"));
    }

    /** Messages no request waits for: port status, flow removed, errors for fire-and-forget sends ... */
    public void addMessageListener(Consumer<OfMessage> listener) {
        messageListeners.add(requireNonNull(listener, "listener"));
    }

    public boolean isConnected() {
        return channel != null;
    }

    /** The negotiated version of the current (or last) connection, null before the first. */
    public OfVersion version() {
        return version;
    }

    /** The features reply of the current (or last) connection, null before the first. */
    public FeaturesReply features() {
        return features;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** Closes the connection, stops reconnecting and fails whatever is pending. */
    @Override
    public void close() {
        Channel ch;
        Channel inProgress;
        CompletableFuture<FeaturesReply> first;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            ch = channel;
            channel = null;
            inProgress = connecting;
            first = firstConnect;
        }
        if (ch != null) {
            ch.close().syncUninterruptibly();
        }
        if (inProgress != null) {
            inProgress.close();
        }
        pending.failAll(new OpenFlowDisconnectedException("client for " + endpoint + " closed"));
        if (ch != null) {
            notifyConnection(ConnectionState.DISCONNECTED);
        }
        if (first != null) {
            first.completeExceptionally(new OpenFlowDisconnectedException("client for " + endpoint + " closed"));
        }
    }

    // ---------------------------------------------------------------- requests

    int nextXid() {
        int xid = xids.incrementAndGet();
        return xid != 0 ? xid : xids.incrementAndGet();
    }

    /** Reserves {@code count} consecutive xids and returns the first. */
    private int allocateXids(int count) {
        int first = xids.getAndAdd(count) + 1;
        if (first == 0 || Integer.toUnsignedLong(-first) < count) {
            // The range would contain 0 (OVS's xid for asynchronous messages): take a fresh one.
            first = xids.getAndAdd(count) + 1;
        }
        return first;
    }

    private Channel requireChannel() {
        Channel ch = channel;
        if (ch == null) {
            throw new OpenFlowDisconnectedException(closed ? "client for " + endpoint + " is closed"
                    : "not connected to " + endpoint);
        }
        return ch;
    }

    private static String describe(OfMessage m) {
        return describeType(m) + " xid=0x" + Integer.toHexString(m.xid());
    }

    private static String describeType(OfMessage m) {
        if (m instanceof BarrierRequest) {
            return "BARRIER_REQUEST";
        } else if (m instanceof FlowMod) {
            return "FLOW_MOD";
        } else if (m instanceof GroupMod) {
            return "GROUP_MOD";
        } else if (m instanceof BundleControl c) {
            return "BUNDLE_CONTROL " + c.type();
        } else if (m instanceof MultipartRequest) {
            return "multipart " + m.getClass().getSimpleName();
        }
        return m.getClass().getSimpleName();
    }

    /** Sends {@code message} (with a fresh xid) and completes with the reply carrying that xid. */
    public CompletableFuture<OfMessage> request(OfMessage message) {
        return request(message, config.requestTimeout());
    }

    public CompletableFuture<OfMessage> request(OfMessage message, Duration timeout) {
        requireNonNull(message, "message");
        Channel ch;
        try {
            ch = requireChannel();
        } catch (OpenFlowException e) {
            return CompletableFuture.failedFuture(e);
        }
        OfMessage m = message.withXid(nextXid());
        CompletableFuture<OfMessage> reply = pending.expectReply(m.xid(), describe(m), timeout);
        ch.writeAndFlush(m).addListener(w -> {
            if (!w.isSuccess()) {
                pending.fail(m.xid(), new OpenFlowDisconnectedException("sending " + describe(m) + " to " + endpoint
                        + " failed: " + w.cause().getMessage(), w.cause()));
            }
        });
        return reply;
    }

    /** Like {@link #request(OfMessage)}, checking the reply's type. */
    public <R extends OfMessage> CompletableFuture<R> request(OfMessage message, Class<R> replyType) {
        return request(message).thenApply(reply -> {
            if (!replyType.isInstance(reply)) {
                throw new OpenFlowException("expected " + replyType.getSimpleName() + " in reply, got " + reply);
            }
            return replyType.cast(reply);
        });
    }

    /**
     * Sends without waiting for any reply (an error from the switch goes to the message listeners
     * and the log). Completes when written.
     */
    public CompletableFuture<Void> send(OfMessage message) {
        return sendAll(List.of(message));
    }

    /** Sends many messages in few writes and flushes; completes when all are written. */
    public CompletableFuture<Void> sendAll(List<? extends OfMessage> messages) {
        Channel ch;
        try {
            ch = requireChannel();
        } catch (OpenFlowException e) {
            return CompletableFuture.failedFuture(e);
        }
        int first = allocateXids(messages.size());
        List<OfMessage> numbered = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            numbered.add(messages.get(i).withXid(first + i));
        }
        return write(ch, numbered);
    }

    private CompletableFuture<Void> write(Channel ch, List<OfMessage> messages) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        if (messages.isEmpty()) {
            written.complete(null);
            return written;
        }
        AtomicInteger outstanding = new AtomicInteger((messages.size() + BATCH_CHUNK - 1) / BATCH_CHUNK);
        for (int i = 0; i < messages.size(); i += BATCH_CHUNK) {
            List<OfMessage> chunk = messages.subList(i, Math.min(messages.size(), i + BATCH_CHUNK));
            Object unit = chunk.size() == 1 ? chunk.get(0) : new OfMessageBatch(chunk);
            ch.writeAndFlush(unit).addListener(w -> {
                if (!w.isSuccess()) {
                    written.completeExceptionally(new OpenFlowDisconnectedException("writing to " + endpoint
                            + " failed: " + w.cause().getMessage(), w.cause()));
                } else if (outstanding.decrementAndGet() == 0) {
                    written.complete(null);
                }
            });
        }
        return written;
    }

    /** Completes when the switch has processed everything sent before it. */
    public CompletableFuture<Void> barrier() {
        return request(new BarrierRequest(0), BarrierReply.class).thenApply(r -> null);
    }

    /**
     * Sends the messages followed by a barrier; completes when the barrier is answered, or fails
     * with the first error the switch reported for any of them. No future per message.
     */
    public CompletableFuture<Void> sendConfirmed(List<? extends OfMessage> messages) {
        Channel ch;
        try {
            ch = requireChannel();
        } catch (OpenFlowException e) {
            return CompletableFuture.failedFuture(e);
        }
        int n = messages.size();
        int first = allocateXids(n + 1);
        PendingRequests.XidRange range = pending.trackRange(first, n);
        int barrierXid = first + n;
        List<OfMessage> out = new ArrayList<>(n + 1);
        for (int i = 0; i < n; i++) {
            out.add(messages.get(i).withXid(first + i));
        }
        out.add(new BarrierRequest(barrierXid));
        CompletableFuture<OfMessage> barrier = pending.expectReply(barrierXid,
                "barrier after " + n + " messages", config.bundleTimeout());
        failOnWriteError(write(ch, out), barrierXid);
        CompletableFuture<Void> result = new CompletableFuture<>();
        barrier.whenComplete((reply, ex) -> {
            pending.untrack(range);
            ErrorMessage error = range.firstError();
            if (error != null) {
                result.completeExceptionally(new OpenFlowErrorException(error));
            } else if (ex != null) {
                result.completeExceptionally(ex);
            } else {
                result.complete(null);
            }
        });
        return result;
    }

    private void failOnWriteError(CompletableFuture<Void> written, int xid) {
        written.whenComplete((v, ex) -> {
            if (ex != null) {
                pending.fail(xid, ex);
            }
        });
    }

    /** One flow-mod, confirmed by a barrier (fails with the switch's error text). */
    public CompletableFuture<Void> flowMod(FlowMod flowMod) {
        return sendConfirmed(List.of(flowMod));
    }

    /** Many flow-mods in one burst, confirmed by one barrier. */
    public CompletableFuture<Void> flowMods(List<FlowMod> flowMods) {
        return sendConfirmed(flowMods);
    }

    /** One group-mod, confirmed by a barrier. */
    public CompletableFuture<Void> groupMod(GroupMod groupMod) {
        return sendConfirmed(List.of(groupMod));
    }

    /** Sends a packet-out (no reply; errors go to message listeners). */
    public CompletableFuture<Void> packetOut(PacketOut packetOut) {
        return send(packetOut);
    }

    /** All entries of a flow-stats dump, collected over every reply part. */
    public CompletableFuture<List<FlowStats>> dumpFlows(FlowStatsRequest request) {
        return multipart(request);
    }

    public CompletableFuture<List<GroupStats>> dumpGroupStats() {
        return multipart(GroupStatsRequest.all());
    }

    public CompletableFuture<List<GroupDesc>> dumpGroupDescs() {
        return multipart(GroupDescRequest.all());
    }

    private <T> CompletableFuture<List<T>> multipart(MultipartRequest request) {
        Channel ch;
        try {
            ch = requireChannel();
        } catch (OpenFlowException e) {
            return CompletableFuture.failedFuture(e);
        }
        OfMessage m = request.withXid(nextXid());
        CompletableFuture<List<T>> result = pending.expectMultipart(m.xid(), describe(m), config.requestTimeout());
        ch.writeAndFlush(m).addListener(w -> {
            if (!w.isSuccess()) {
                pending.fail(m.xid(), new OpenFlowDisconnectedException("sending " + describe(m) + " failed: "
                        + w.cause().getMessage(), w.cause()));
            }
        });
        return result;
    }

    /**
     * Applies {@code messages} atomically and in order in one bundle (OpenFlow 1.5.1 section 7.3.9;
     * ONF extension with 1.3): open, add each, barrier; if any add was refused the bundle is
     * discarded and the future fails with that message's error; otherwise commit with
     * ATOMIC|ORDERED, and a failed commit reports the failing inner message's error.
     */
    public CompletableFuture<Void> bundle(List<? extends OfMessage> messages) {
        Channel ch;
        try {
            ch = requireChannel();
        } catch (OpenFlowException e) {
            return CompletableFuture.failedFuture(e);
        }
        int bundleId = bundleIds.incrementAndGet();
        int flags = BundleControl.ATOMIC | BundleControl.ORDERED;
        int n = messages.size();
        int first = allocateXids(n + 2);
        int openXid = first;
        int barrierXid = first + n + 1;
        PendingRequests.XidRange adds = pending.trackRange(first + 1, n);
        List<OfMessage> out = new ArrayList<>(n + 2);
        BundleControl open = BundleControl.of(openXid, bundleId, BundleControlType.OPEN_REQUEST, flags);
        out.add(open);
        for (int i = 0; i < n; i++) {
            out.add(BundleAdd.of(bundleId, flags, messages.get(i).withXid(first + 1 + i)));
        }
        out.add(new BarrierRequest(barrierXid));
        String what = "bundle " + bundleId + " (" + n + " messages)";
        CompletableFuture<OfMessage> opened = pending.expectReply(openXid, what + " open", config.bundleTimeout());
        CompletableFuture<OfMessage> barrier = pending.expectReply(barrierXid, what + " barrier", config.bundleTimeout());
        CompletableFuture<Void> written = write(ch, out);
        failOnWriteError(written, openXid);
        failOnWriteError(written, barrierXid);

        CompletableFuture<Void> result = new CompletableFuture<>();
        barrier.whenComplete((reply, barrierError) -> {
            if (barrierError != null) {
                pending.untrack(adds);
                result.completeExceptionally(barrierError);
                return;
            }
            Throwable openFailure = failureOf(opened, BundleControlType.OPEN_REPLY);
            if (openFailure != null) {
                pending.untrack(adds);
                result.completeExceptionally(openFailure);
                return;
            }
            ErrorMessage addError = adds.firstError();
            if (addError != null) {
                pending.untrack(adds);
                discard(bundleId, flags);
                result.completeExceptionally(new OpenFlowErrorException(what + " discarded", addError));
                return;
            }
            request(BundleControl.of(0, bundleId, BundleControlType.COMMIT_REQUEST, flags), config.bundleTimeout())
                    .whenComplete((commit, commitError) -> {
                        pending.untrack(adds);
                        ErrorMessage inner = adds.firstError();
                        if (inner != null) {
                            result.completeExceptionally(new OpenFlowErrorException(what + " commit failed", inner));
                        } else if (commitError != null) {
                            result.completeExceptionally(commitError);
                        } else if (commit instanceof BundleControl c && c.type() == BundleControlType.COMMIT_REPLY) {
                            result.complete(null);
                        } else {
                            result.completeExceptionally(new OpenFlowException(what + ": unexpected commit reply "
                                    + commit));
                        }
                    });
        });
        return result;
    }

    /** The failure of a completed bundle-control request, or null if it got the expected reply. */
    private static Throwable failureOf(CompletableFuture<OfMessage> request, BundleControlType expected) {
        if (!request.isDone()) {
            return new OpenFlowException("no " + expected + " before the barrier reply");
        }
        try {
            OfMessage reply = request.getNow(null);
            if (reply instanceof BundleControl c && c.type() == expected) {
                return null;
            }
            return new OpenFlowException("expected " + expected + ", got " + reply);
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
    }

    private void discard(int bundleId, int flags) {
        request(BundleControl.of(0, bundleId, BundleControlType.DISCARD_REQUEST, flags)).whenComplete((r, ex) -> {
            if (ex != null) {
                LOG.debug("OpenFlow {}: discarding bundle {}: {}", endpoint, bundleId, ex.getMessage());
            }
        });
    }
}
