package io.trellis.controlplane.stream;

import static java.util.Objects.requireNonNull;

import io.trellis.controlplane.policy.NodePolicyListener;
import io.trellis.spi.policy.PolicyStatistics;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's end of the policy channel: watches {@code /v1/policy/watch} on the controller over TLS
 * (trusting only the configured CA) and hands the events to a {@link NodePolicyListener}, in order, on
 * one thread of its own. It reconnects with exponential backoff, resumes from the last resource
 * version it processed (the controller replies with a snapshot when it cannot resume), and gives a
 * connection up when no line (event or heartbeat) came for three heartbeat intervals: a half-open TCP
 * connection would otherwise leave the agent on stale rules forever. The token file is read at every
 * connection, so a rotated token is picked up without a restart.
 */
public final class PolicyStreamClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyStreamClient.class);
    private static final int HEARTBEATS_BEFORE_DEAD = 3;

    private final PolicyStreamSettings settings;
    private final NodePolicyListener listener;
    private final StreamTiming timing;
    private final StreamEventCodec codec = new StreamEventCodec();
    private final PolicyStatisticsJson statisticsJson = new PolicyStatisticsJson();
    private final Thread thread;
    private final Object lock = new Object();

    private volatile boolean closed;
    private volatile boolean synced;
    private volatile String resourceVersion;
    private volatile int connections;
    private boolean sessionDelivered; // only touched by the stream thread
    private HttpClient http;
    private LineQueue current;

    public PolicyStreamClient(PolicyStreamSettings settings, NodePolicyListener listener) {
        this(settings, listener, StreamTiming.DEFAULT);
    }

    public PolicyStreamClient(PolicyStreamSettings settings, NodePolicyListener listener, StreamTiming timing) {
        this.settings = requireNonNull(settings, "settings");
        this.listener = requireNonNull(listener, "listener");
        this.timing = requireNonNull(timing, "timing");
        this.thread = new Thread(this::run, "trellis-policy-stream");
        this.thread.setDaemon(true);
    }

    /** Starts watching in the background; returns at once. */
    public void start() {
        thread.start();
    }

    /** Whether the listener has received at least one complete snapshot (it stays true across reconnections). */
    public boolean synced() {
        return synced;
    }

    /** The resource version of the last event processed, empty before the first. */
    public Optional<String> resourceVersion() {
        return Optional.ofNullable(resourceVersion);
    }

    /** How many connections got a response from the controller so far (for diagnostics and tests). */
    public int connections() {
        return connections;
    }

    /**
     * Posts this node's cumulative policy counters to the controller ({@code POST /v1/policy/stats}),
     * which keeps the latest reading per node and serves the sums. Synchronous; on the caller's thread.
     *
     * @throws IOException when the controller cannot be reached or refuses the report (the message says why)
     */
    public void reportStatistics(PolicyStatistics statistics) throws IOException, InterruptedException {
        requireNonNull(statistics, "statistics");
        HttpRequest request = HttpRequest.newBuilder(endpoint(PolicyStreamProtocol.STATS_PATH))
                .timeout(timing.connectTimeout())
                .header("Authorization", PolicyStreamProtocol.authorization(settings.nodeName(), readToken()))
                .header("Content-Type", PolicyStreamProtocol.JSON_CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(statisticsJson.encode(statistics), StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response = client().send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("controller answered " + response.statusCode() + " to the statistics report: "
                    + response.body().trim());
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            if (current != null) {
                current.cancel();
            }
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        int failures = 0;
        while (!closed) {
            try {
                boolean delivered = session();
                failures = delivered ? 0 : failures + 1;
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException | IOException | ExecutionException e) {
                // A stream that worked for a while before it broke starts the backoff over.
                failures = sessionDelivered ? 1 : failures + 1;
                if (!closed) {
                    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                    LOG.warn("policy stream from {} failed (attempt {}): {}{}", settings.controller(), failures,
                            e instanceof ExecutionException ? e.getMessage() + ": " : "", String.valueOf(cause));
                }
            }
            if (closed) {
                break;
            }
            try {
                Thread.sleep(jittered(timing.backoff(Math.max(0, failures - 1))));
            } catch (InterruptedException e) {
                break;
            }
        }
        LOG.info("policy stream from {} stopped", settings.controller());
    }

    private long jittered(Duration delay) {
        double factor = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Math.max(1, (long) (delay.toMillis() * factor));
    }

    /** One connection, until it fails or dies; whether it delivered at least one event. */
    private boolean session() throws IOException, InterruptedException, ExecutionException {
        sessionDelivered = false;
        String token = readToken();
        HttpClient client = client();
        String version = resourceVersion;
        URI uri = watchUri(version);
        HttpRequest request = HttpRequest.newBuilder(uri).GET()
                .header("Authorization", PolicyStreamProtocol.authorization(settings.nodeName(), token))
                .header("Accept", PolicyStreamProtocol.STREAM_CONTENT_TYPE)
                .build();
        LineQueue lines = new LineQueue();
        synchronized (lock) {
            if (closed) {
                return false;
            }
            current = lines;
        }
        try {
            CompletableFuture<HttpResponse<Void>> response = client.sendAsync(request, info -> {
                lines.offer(info);
                return HttpResponse.BodySubscribers.fromLineSubscriber(lines, s -> null, StandardCharsets.UTF_8, null);
            });
            response.whenComplete((r, failure) -> {
                if (failure != null) {
                    lines.offer(new Failure(failure));
                }
            });
            Object first = lines.poll(timing.connectTimeout());
            if (first == null) {
                response.cancel(true);
                throw new IOException("no response from " + uri + " within " + timing.connectTimeout());
            }
            if (first instanceof Failure f) {
                throw new ExecutionException("cannot connect to " + uri, f.cause());
            }
            HttpResponse.ResponseInfo info = (HttpResponse.ResponseInfo) first;
            connections++;
            if (info.statusCode() != 200) {
                throw new IOException("controller answered " + info.statusCode() + " to " + uri + ": "
                        + errorBody(lines));
            }
            Duration heartbeat = info.headers().firstValueAsLong(PolicyStreamProtocol.HEARTBEAT_HEADER)
                    .stream().filter(ms -> ms > 0).mapToObj(Duration::ofMillis).findFirst()
                    .orElse(timing.defaultHeartbeat());
            Duration deadAfter = heartbeat.multipliedBy(HEARTBEATS_BEFORE_DEAD);
            LOG.info("watching policy objects of node {} at {} (resuming from {})", settings.nodeName(),
                    settings.controller(), version == null ? "nothing: snapshot" : version);
            return stream(lines, deadAfter);
        } finally {
            lines.cancel();
            synchronized (lock) {
                current = null;
            }
        }
    }

    private boolean stream(LineQueue lines, Duration deadAfter) throws InterruptedException, ExecutionException {
        boolean delivered = false;
        while (!closed) {
            Object item = lines.poll(deadAfter);
            if (item == null) {
                LOG.warn("no data nor heartbeat from {} for {}: the connection is dead, reconnecting",
                        settings.controller(), deadAfter);
                return delivered;
            }
            if (item == LineQueue.END) {
                LOG.info("controller {} ended the policy stream, reconnecting", settings.controller());
                return delivered;
            }
            if (item instanceof Failure f) {
                if (closed) {
                    return delivered;
                }
                throw new ExecutionException("policy stream broke", f.cause());
            }
            String line = (String) item;
            if (!line.isBlank()) {
                apply(codec.decode(line));
                delivered = true;
                sessionDelivered = true;
            }
            lines.request();
        }
        return delivered;
    }

    private void apply(StreamEvent event) {
        try {
            if (event instanceof StreamEvent.Snapshot s) {
                listener.replaceAll(s.objects());
                synced = true;
            } else if (event instanceof StreamEvent.Added a) {
                listener.upsert(a.object());
            } else if (event instanceof StreamEvent.Modified m) {
                listener.upsert(m.object());
            } else if (event instanceof StreamEvent.Deleted d) {
                listener.remove(d.key());
            }
        } catch (RuntimeException e) {
            // The listener may now hold a partial state: start over from a snapshot.
            resourceVersion = null;
            throw new IllegalStateException("the policy listener failed on " + describe(event) + ": " + e, e);
        }
        resourceVersion = event.resourceVersion();
    }

    private static String describe(StreamEvent event) {
        return event.getClass().getSimpleName() + " at " + event.resourceVersion();
    }

    private String errorBody(LineQueue lines) throws InterruptedException {
        StringBuilder body = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (body.length() < 500 && System.nanoTime() < deadline) {
            Object item = lines.poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (!(item instanceof String line)) {
                break;
            }
            body.append(line).append(' ');
            lines.request();
        }
        return body.toString().trim();
    }

    private String readToken() throws IOException {
        String token = Files.readString(settings.tokenFile(), StandardCharsets.UTF_8).trim();
        if (token.isEmpty()) {
            throw new IOException("the token file " + settings.tokenFile() + " is empty");
        }
        return token;
    }

    private synchronized HttpClient client() {
        if (http == null) {
            http = HttpClient.newBuilder()
                    .sslContext(PemTls.trusting(settings.caFile()))
                    // The JDK's HttpsServer speaks HTTP/1.1 only; a stream per connection is what we want anyway.
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(timing.connectTimeout())
                    .build();
        }
        return http;
    }

    private URI watchUri(String version) {
        String query = version == null ? ""
                : "?" + PolicyStreamProtocol.RESOURCE_VERSION_PARAM + "="
                        + URLEncoder.encode(version, StandardCharsets.UTF_8);
        return endpoint(PolicyStreamProtocol.WATCH_PATH + query);
    }

    private URI endpoint(String pathAndQuery) {
        return URI.create(settings.controller().toString().replaceAll("/+$", "") + pathAndQuery);
    }

    private record Failure(Throwable cause) {
    }

    /**
     * Everything one connection produces, in order, for the stream thread: the response head, the
     * lines, then the end or the failure. One line is requested at a time, so a slow listener slows
     * the server's writes (TCP back pressure) instead of filling memory.
     */
    private static final class LineQueue implements Flow.Subscriber<String> {
        static final Object END = new Object();
        private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
        private volatile Flow.Subscription subscription;
        private volatile boolean cancelled;

        void offer(Object item) {
            items.add(item);
        }

        Object poll(Duration timeout) throws InterruptedException {
            return items.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        void request() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.request(1);
            }
        }

        void cancel() {
            cancelled = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (cancelled) {
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(String line) {
            items.add(line);
        }

        @Override
        public void onError(Throwable failure) {
            items.add(new Failure(failure));
        }

        @Override
        public void onComplete() {
            items.add(END);
        }
    }
}
