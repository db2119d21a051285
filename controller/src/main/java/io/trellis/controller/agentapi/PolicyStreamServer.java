package io.trellis.controller.agentapi;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.trellis.controller.config.AgentApiSettings;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import io.trellis.controlplane.policy.PolicyObjectSink;
import io.trellis.controlplane.stream.AgentTokens;
import io.trellis.controlplane.stream.PemTls;
import io.trellis.controlplane.stream.PolicyStreamProtocol;
import io.trellis.controlplane.stream.StreamEventCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's end of the policy channel: the {@link PolicyObjectSink} the NetworkPolicy
 * computation publishes to, served to the agents over HTTPS (JDK {@link HttpsServer}, one thread per
 * open stream). {@code GET /v1/policy/watch[?resourceVersion=V]} streams the caller's node's events as
 * newline-delimited JSON ({@link StreamEventCodec}): a snapshot unless it can resume from {@code V},
 * then changes, and a heartbeat line whenever nothing else was sent for a heartbeat interval. Callers
 * authenticate with {@code Authorization: Bearer <node>:<token>} ({@link AgentTokens}), checked in
 * constant time; anything else gets {@code 401} and no data. Until {@link #markReady()} (the
 * computation has published its first complete state) watches get {@code 503}, so that a restarted
 * controller never tells agents that every policy is gone.
 */
public final class PolicyStreamServer implements PolicyObjectSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyStreamServer.class);

    private final AgentApiSettings settings;
    private final StreamServerTiming timing;
    private final NodeEventLog log;
    private final PolicyStatsStore stats = new PolicyStatsStore();
    private final StreamEventCodec codec = new StreamEventCodec();
    private final AtomicInteger threads = new AtomicInteger();
    private volatile boolean ready;
    private volatile boolean closed;
    private HttpsServer server;
    private ExecutorService executor;
    private byte[] secret;

    public PolicyStreamServer(AgentApiSettings settings) {
        this(settings, StreamServerTiming.DEFAULT);
    }

    public PolicyStreamServer(AgentApiSettings settings, StreamServerTiming timing) {
        this.settings = requireNonNull(settings, "settings");
        this.timing = requireNonNull(timing, "timing");
        this.log = new NodeEventLog(timing.historyPerNode(), timing.queueLimit());
    }

    /**
     * Reads the TLS material and the token secret and starts listening.
     *
     * @throws IllegalArgumentException naming the file when the certificate, key or secret is unusable
     * @throws UncheckedIOException     when the address cannot be bound
     */
    public synchronized PolicyStreamServer start() {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        SSLContext tls = PemTls.server(settings.certificateFile(), settings.privateKeyFile());
        try {
            secret = AgentTokens.readSecret(settings.agentTokenSecretFile());
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        try {
            server = HttpsServer.create(settings.listen(), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + settings.listen() + " for agents: " + e, e);
        }
        server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = getSSLContext().getDefaultSSLParameters();
                p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                p.setNeedClientAuth(false);
                params.setSSLParameters(p);
            }
        });
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "trellis-agent-api-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(PolicyStreamProtocol.WATCH_PATH, this::handleWatch);
        server.createContext(PolicyStreamProtocol.STATS_PATH, this::handleStats);
        server.start();
        LOG.info("agent API listening on {} (TLS, heartbeat {})", address(), timing.heartbeat());
        return this;
    }

    /** The address actually bound (the port is chosen when the settings say 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The computation has published its complete initial state: agents may now be served. */
    public void markReady() {
        if (!ready) {
            ready = true;
            LOG.info("agent API ready: {} policy objects", log.size());
        }
    }

    public boolean isReady() {
        return ready;
    }

    @Override
    public void upsert(PolicyObject object, Set<String> span) {
        log.upsert(object, span);
    }

    @Override
    public void remove(PolicyObjectKey key) {
        log.remove(key);
    }

    /** The resource version of the latest change (for diagnostics and tests). */
    public String currentVersion() {
        return log.currentVersion();
    }

    /** Stops listening and ends every open stream; the agents keep their state and reconnect. */
    @Override
    public synchronized void close() {
        closed = true;
        log.endAll();
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private void handleWatch(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (notExactly(exchange, PolicyStreamProtocol.WATCH_PATH)) {
                return;
            }
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                sendText(exchange, 405, "use GET");
                return;
            }
            Optional<String> node = authenticate(exchange);
            if (node.isEmpty()) {
                return;
            }
            if (!ready) {
                exchange.getResponseHeaders().set("Retry-After", "1");
                sendText(exchange, 503, "the controller has not computed the policies yet");
                return;
            }
            Optional<String> from = Optional.ofNullable(query(exchange).get(PolicyStreamProtocol.RESOURCE_VERSION_PARAM))
                    .filter(v -> !v.isEmpty());
            stream(exchange, node.get(), from);
        }
    }

    private void stream(HttpExchange exchange, String node, Optional<String> from) throws IOException {
        NodeEventLog.Subscription subscription = log.subscribe(node, from);
        LOG.info("node {} watches its policy objects from {} ({})", node, exchange.getRemoteAddress(),
                from.map(v -> "resuming after " + v).orElse("snapshot"));
        try {
            exchange.getResponseHeaders().set("Content-Type", PolicyStreamProtocol.STREAM_CONTENT_TYPE);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set(PolicyStreamProtocol.HEARTBEAT_HEADER,
                    Long.toString(timing.heartbeat().toMillis()));
            exchange.sendResponseHeaders(200, 0); // chunked: the stream has no length
            OutputStream out = exchange.getResponseBody();
            while (!closed) {
                Optional<NodeEventLog.Outgoing> event = subscription.next(timing.heartbeat());
                if (event.isEmpty()) {
                    break;
                }
                out.write((event.get().line(codec) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            LOG.info("stream of node {} ended: {}", node, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            log.unsubscribe(subscription);
        }
    }

    private void handleStats(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (notExactly(exchange, PolicyStreamProtocol.STATS_PATH)) {
                return;
            }
            Optional<String> node = authenticate(exchange);
            if (node.isEmpty()) {
                return;
            }
            stats.handle(exchange, node.get(), query(exchange));
        }
    }

    /** HttpServer contexts match path prefixes; anything longer than the endpoint is not ours: 404. */
    private static boolean notExactly(HttpExchange exchange, String path) throws IOException {
        if (exchange.getRequestURI().getPath().equals(path)) {
            return false;
        }
        sendText(exchange, 404, "no such endpoint: " + exchange.getRequestURI().getPath());
        return true;
    }

    /** The node the caller proved to be, or empty after answering 401. */
    private Optional<String> authenticate(HttpExchange exchange) throws IOException {
        Optional<PolicyStreamProtocol.Credentials> credentials =
                PolicyStreamProtocol.credentials(exchange.getRequestHeaders().getFirst("Authorization"));
        if (credentials.isPresent()
                && AgentTokens.matches(secret, credentials.get().node(), credentials.get().token())) {
            return Optional.of(credentials.get().node());
        }
        LOG.warn("refused {} {} from {}: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRemoteAddress(), credentials.map(c -> "wrong token for node " + c.node())
                        .orElse("no Bearer <node>:<token> credentials"));
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"trellis-agent-api\"");
        sendText(exchange, 401, "missing or invalid agent token");
        return Optional.empty();
    }

    static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> out = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(name, value);
        }
        return out;
    }
}
