package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.json.JsonObjectDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.trellis.ovs.transport.Endpoint;
import io.trellis.ovs.transport.NettyTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OVSDB client (RFC 7047) over a Unix socket or TCP. It keeps one connection, reconnects
 * with {@link io.trellis.ovs.transport.Backoff} when it drops, and re-establishes its monitors on
 * each new connection (listeners then get a fresh {@link MonitorEvent.Type#SNAPSHOT}).
 *
 * <p>Futures complete on the reply executor (by default the common pool), never on the Netty
 * event loop; monitor and connection listeners run in order on one listener thread per client.
 */
public final class OvsdbClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OvsdbClient.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final NettyTransport transport;
    private final Endpoint endpoint;
    private final OvsdbClientOptions options;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Executor replyExecutor;
    private final ExecutorService listenerExecutor;
    private final Map<String, Monitor> monitors = new ConcurrentHashMap<>();
    private final List<ConnectionListener> connectionListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong monitorIds = new AtomicLong();
    private final CompletableFuture<Void> firstConnection = new CompletableFuture<>();
    private final Object lock = new Object();
    /**
     * Schemas fetched on {@link #schemaSession}, for conditional monitors: a schema changes only
     * when the server restarts, which is a new session, so each session fetches it once instead
     * of once per monitor (awaitOfport opens one per pod). Guarded by {@link #lock}.
     */
    private final Map<String, CompletableFuture<DatabaseSchema>> schemas = new HashMap<>();
    private JsonRpcSession schemaSession;
    // Guarded by lock:
    private JsonRpcSession session;
    private ConnectionState state = ConnectionState.DISCONNECTED;
    private boolean started;
    private boolean closed;
    private int attempt;

    public OvsdbClient(NettyTransport transport, Endpoint endpoint, OvsdbClientOptions options) {
        this(transport, endpoint, options, ForkJoinPool.commonPool());
    }

    public OvsdbClient(NettyTransport transport, Endpoint endpoint, OvsdbClientOptions options, Executor replyExecutor) {
        this.transport = requireNonNull(transport, "transport");
        this.endpoint = requireNonNull(endpoint, "endpoint");
        this.options = requireNonNull(options, "options");
        this.replyExecutor = requireNonNull(replyExecutor, "replyExecutor");
        this.listenerExecutor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ovsdb-listener " + endpoint);
            t.setDaemon(true);
            return t;
        });
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public ConnectionState state() {
        synchronized (lock) {
            return state;
        }
    }

    public void addConnectionListener(ConnectionListener listener) {
        connectionListeners.add(requireNonNull(listener, "listener"));
    }

    public void removeConnectionListener(ConnectionListener listener) {
        connectionListeners.remove(listener);
    }

    /**
     * Starts connecting (once; later calls return the same future). The future completes at the first
     * successful connection; failed attempts are retried with backoff until then, so callers bound the
     * wait themselves, e.g. {@code connect().get(10, SECONDS)}.
     */
    public CompletableFuture<Void> connect() {
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new OvsdbException("OVSDB client for " + endpoint + " is closed"));
            }
            if (!started) {
                started = true;
                startConnecting();
            }
        }
        return firstConnection;
    }

    // --- RFC 7047 methods ---------------------------------------------------------------------

    /** Any JSON-RPC method, raw; the future holds the "result". */
    public CompletableFuture<JsonNode> call(String method, ArrayNode params, Duration timeout) {
        JsonRpcSession s;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new OvsdbException("OVSDB client for " + endpoint + " is closed"));
            }
            s = session;
        }
        if (s == null) {
            return CompletableFuture.failedFuture(new OvsdbDisconnectedException(
                    "OVSDB " + method + ": not connected to " + endpoint + " (state " + state() + ")"));
        }
        return s.call(method, params, timeout);
    }

    public CompletableFuture<JsonNode> call(String method, ArrayNode params) {
        return call(method, params, options.requestTimeout());
    }

    /** RFC 7047 4.1.1. */
    public CompletableFuture<List<String>> listDbs() {
        return call("list_dbs", JSON.arrayNode()).thenApply(result -> {
            if (!result.isArray()) {
                throw new OvsdbProtocolException("list_dbs result must be an array, got " + result);
            }
            List<String> names = new ArrayList<>();
            result.forEach(n -> names.add(n.asText()));
            return List.copyOf(names);
        });
    }

    /** RFC 7047 4.1.2. */
    public CompletableFuture<DatabaseSchema> getSchema(String database) {
        return call("get_schema", JSON.arrayNode().add(database)).thenApply(DatabaseSchema::fromJson);
    }

    /** RFC 7047 4.1.3; fails with {@link OvsdbTransactionException} naming the failing operation. */
    public CompletableFuture<TransactResult> transact(String database, List<Operation> operations) {
        return transact(database, operations, options.requestTimeout());
    }

    public CompletableFuture<TransactResult> transact(String database, Operation... operations) {
        return transact(database, Arrays.asList(operations));
    }

    /** With an explicit reply timeout, for transactions holding a long "wait". */
    public CompletableFuture<TransactResult> transact(String database, List<Operation> operations, Duration timeout) {
        requireNonNull(database, "database");
        List<Operation> ops = List.copyOf(operations);
        return call("transact", transactParams(database, ops), timeout)
                .thenApply(result -> TransactResult.fromJson(database, ops, result));
    }

    static ArrayNode transactParams(String database, List<Operation> operations) {
        ArrayNode params = JSON.arrayNode().add(database);
        operations.forEach(op -> params.add(op.toJson()));
        return params;
    }

    /** RFC 7047 4.1.11: the server answers with the same params. */
    public CompletableFuture<JsonNode> echo() {
        return call("echo", JSON.arrayNode().add("trellis-echo"));
    }

    /** RFC 7047 4.1.5 "monitor": "update" notifications with old/new rows. */
    public CompletableFuture<Monitor> monitor(String database, List<MonitorRequest> requests, MonitorListener listener) {
        return register(database, requests, listener, false);
    }

    /**
     * ovsdb-server(7) "monitor_cond": rows filtered by each request's {@code where}, "update2"
     * notifications with column diffs (applied here to give complete rows).
     */
    public CompletableFuture<Monitor> monitorCond(String database, List<MonitorRequest> requests,
                                                  MonitorListener listener) {
        return register(database, requests, listener, true);
    }

    private CompletableFuture<Monitor> register(String database, List<MonitorRequest> requests,
                                                MonitorListener listener, boolean conditional) {
        Monitor monitor = new Monitor(this, "trellis-monitor-" + monitorIds.incrementAndGet(), database, requests,
                listener, conditional);
        JsonRpcSession s;
        synchronized (lock) {
            s = session;
            monitors.put(monitor.id(), monitor);
        }
        if (s == null) {
            monitors.remove(monitor.id());
            return CompletableFuture.failedFuture(new OvsdbDisconnectedException(
                    "OVSDB monitor: not connected to " + endpoint + " (state " + state() + ")"));
        }
        return establish(s, monitor, false).handle((v, e) -> {
            if (e != null) {
                monitors.remove(monitor.id());
                throw e instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(e);
            }
            return monitor;
        });
    }

    /** Sends the monitor request on {@code s}; the reply's snapshot reaches the listener before any update. */
    private CompletableFuture<Void> establish(JsonRpcSession s, Monitor monitor, boolean resync) {
        CompletableFuture<DatabaseSchema> schema = monitor.conditional()
                ? schemaOf(s, monitor.database())
                : CompletableFuture.completedFuture(null);
        return schema.thenCompose(dbSchema -> {
            if (dbSchema != null) {
                monitor.replica().schema(dbSchema);
            }
            ArrayNode params = JSON.arrayNode().add(monitor.database()).add(monitor.id())
                    .add(monitorRequestsJson(monitor.requests(), monitor.conditional()));
            return s.call(monitor.conditional() ? "monitor_cond" : "monitor", params, options.requestTimeout(),
                    result -> {
                        List<RowUpdate> rows = monitor.replica().applySnapshot(result);
                        monitor.established(true);
                        MonitorEvent event = new MonitorEvent(MonitorEvent.Type.SNAPSHOT, resync, rows);
                        listenerExecutor.execute(() -> deliver(monitor, event));
                    });
        }).thenApply(r -> null);
    }

    private CompletableFuture<DatabaseSchema> schemaOf(JsonRpcSession s, String database) {
        synchronized (lock) {
            if (schemaSession != s) {
                schemas.clear();
                schemaSession = s;
            }
            CompletableFuture<DatabaseSchema> cached = schemas.get(database);
            if (cached != null && !cached.isCompletedExceptionally()) {
                return cached;
            }
            CompletableFuture<DatabaseSchema> fetched = s.call("get_schema", JSON.arrayNode().add(database),
                    options.requestTimeout()).thenApply(DatabaseSchema::fromJson);
            schemas.put(database, fetched);
            return fetched;
        }
    }

    static ObjectNode monitorRequestsJson(List<MonitorRequest> requests, boolean conditional) {
        Map<String, List<MonitorRequest>> byTable = new LinkedHashMap<>();
        requests.forEach(r -> byTable.computeIfAbsent(r.table(), t -> new ArrayList<>()).add(r));
        ObjectNode json = JSON.objectNode();
        byTable.forEach((table, list) -> {
            if (list.size() == 1) {
                json.set(table, list.get(0).toJson(conditional));
            } else {
                ArrayNode array = json.putArray(table);
                list.forEach(r -> array.add(r.toJson(conditional)));
            }
        });
        return json;
    }

    CompletableFuture<Void> cancelMonitor(Monitor monitor) {
        JsonRpcSession s;
        synchronized (lock) {
            if (monitors.remove(monitor.id()) == null) {
                return CompletableFuture.completedFuture(null);
            }
            monitor.established(false);
            s = session;
        }
        if (s == null) {
            return CompletableFuture.completedFuture(null); // nothing to cancel on the server
        }
        return s.call("monitor_cancel", JSON.arrayNode().add(monitor.id()), options.requestTimeout())
                .thenApply(r -> null);
    }

    private void onNotification(JsonRpcSession s, String method, ArrayNode params) {
        switch (method) {
            case "update", "update2" -> {
                Monitor monitor = params.size() == 2 ? monitors.get(params.get(0).asText()) : null;
                if (monitor == null || !monitor.established()) {
                    log.debug("OVSDB {}: {} for unknown monitor {} ignored", endpoint, method, params.get(0));
                    return;
                }
                List<RowUpdate> updates;
                try {
                    updates = monitor.replica().applyChange(params.get(1));
                } catch (RuntimeException e) {
                    // The replica may now be out of step: reconnecting delivers a complete snapshot.
                    log.error("OVSDB {}: bad {} for monitor {}; reconnecting to resync", endpoint, method,
                            monitor.id(), e);
                    listenerExecutor.execute(() -> monitor.listener().onError(e));
                    s.channel().close();
                    return;
                }
                MonitorEvent event = new MonitorEvent(MonitorEvent.Type.CHANGE, false, updates);
                listenerExecutor.execute(() -> deliver(monitor, event));
            }
            case "locked", "stolen" -> log.debug("OVSDB {}: {} {}", endpoint, method, params);
            default -> log.warn("OVSDB {}: unexpected notification {} {}", endpoint, method, params);
        }
    }

    private void deliver(Monitor monitor, MonitorEvent event) {
        if (!monitors.containsKey(monitor.id())) {
            return; // cancelled meanwhile
        }
        try {
            monitor.listener().onEvent(event);
        } catch (RuntimeException e) {
            log.error("OVSDB monitor {} listener failed on {}", monitor.id(), event.type(), e);
        }
    }

    // --- connection life cycle ----------------------------------------------------------------

    private void startConnecting() {
        setState(ConnectionState.CONNECTING);
        JsonRpcSession s = new JsonRpcSession(endpoint.toString(), replyExecutor, this::onNotification,
                options.requestTimeout());
        ChannelFuture connect;
        try {
            connect = transport.connect(endpoint, options.connectTimeout(), new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast("json-framing", new JsonObjectDecoder(options.maxMessageBytes()));
                    ch.pipeline().addLast("json-rpc", new JsonRpcCodec(mapper));
                    if (!options.echoInterval().isZero()) {
                        ch.pipeline().addLast("idle", new IdleStateHandler(
                                options.echoInterval().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
                    }
                    ch.pipeline().addLast("session", s);
                }
            });
        } catch (RuntimeException e) {
            onConnectFailed(e);
            return;
        }
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                onConnectFailed(f.cause());
                return;
            }
            Channel ch = connect.channel();
            synchronized (lock) {
                if (closed) {
                    ch.close();
                    return;
                }
                session = s;
                attempt = 0;
            }
            ch.closeFuture().addListener(c -> onDisconnected(s));
            log.info("OVSDB connected to {}", endpoint);
            setState(ConnectionState.CONNECTED);
            firstConnection.complete(null);
            reestablishMonitors(s);
        });
    }

    private void reestablishMonitors(JsonRpcSession s) {
        for (Monitor monitor : monitors.values()) {
            if (!monitor.established()) {
                continue; // its first request is still in flight (and fails with the old connection)
            }
            establish(s, monitor, true).whenComplete((v, e) -> {
                if (e != null) {
                    log.error("OVSDB {}: could not re-establish monitor {}", endpoint, monitor.id(), e);
                    listenerExecutor.execute(() -> monitor.listener().onError(e));
                }
            });
        }
    }

    private void onConnectFailed(Throwable cause) {
        log.debug("OVSDB connect to {} failed: {}", endpoint, cause.toString());
        setState(ConnectionState.DISCONNECTED);
        scheduleReconnect();
    }

    private void onDisconnected(JsonRpcSession s) {
        synchronized (lock) {
            if (session != s) {
                return;
            }
            session = null;
        }
        s.failAll("connection to " + endpoint + " lost");
        log.warn("OVSDB connection to {} lost; reconnecting", endpoint);
        setState(ConnectionState.DISCONNECTED);
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        Duration delay;
        synchronized (lock) {
            if (closed) {
                return;
            }
            delay = options.backoff().delay(Math.min(attempt, 30));
            attempt++;
        }
        try {
            transport.group().schedule(() -> {
                synchronized (lock) {
                    if (closed) {
                        return;
                    }
                }
                startConnecting();
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.warn("OVSDB {}: transport shut down, no more reconnect attempts", endpoint);
        }
    }

    private void setState(ConnectionState newState) {
        synchronized (lock) {
            if (state == newState || state == ConnectionState.CLOSED) {
                return;
            }
            state = newState;
        }
        for (ConnectionListener l : connectionListeners) {
            listenerExecutor.execute(() -> {
                try {
                    l.onStateChange(newState);
                } catch (RuntimeException e) {
                    log.error("OVSDB connection listener failed on {}", newState, e);
                }
            });
        }
    }

    /** Closes the connection, fails pending requests and stops reconnecting. */
    @Override
    public void close() {
        JsonRpcSession s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            setState(ConnectionState.CLOSED);
            closed = true;
            s = session;
            session = null;
        }
        if (s != null) {
            s.failAll("OVSDB client closed");
            s.channel().close();
        }
        firstConnection.completeExceptionally(new OvsdbException("OVSDB client for " + endpoint + " closed"));
        monitors.clear();
        listenerExecutor.shutdown();
    }
}
