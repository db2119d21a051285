package io.trellis.cni.server;

import static java.util.Objects.requireNonNull;

import io.trellis.cni.model.CniResult;
import io.trellis.cni.protocol.AgentProtocol;
import io.trellis.cni.protocol.CniReply;
import io.trellis.cni.protocol.CniRequest;
import io.trellis.cni.protocol.ProtocolException;
import io.trellis.cni.spec.CniError;
import io.trellis.cni.spec.CniException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's end of the CNI socket: accepts connections from the {@code trellis-cni} executable,
 * reads one {@link CniRequest} per connection ({@link AgentProtocol}), runs it on the
 * {@link CniHandler} and writes the reply. The socket file is created mode 0600 (the runtime runs
 * plugins as root); a stale file from an earlier agent is replaced.
 */
public final class CniServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CniServer.class);

    private final Config config;
    private final CniHandler handler;
    private final ServerSocketChannel server;
    private final ExecutorService workers;
    private final ScheduledExecutorService deadlines;
    private final Thread acceptor;
    private volatile boolean closed;

    /**
     * @param socketPath  where to listen, e.g. /var/run/trellis/cni.sock
     * @param workers     requests handled at once (ADDs of different pods run in parallel)
     * @param readTimeout how long a client may take to send its request
     */
    public record Config(Path socketPath, int workers, Duration readTimeout) {
        public Config {
            requireNonNull(socketPath, "socketPath");
            requireNonNull(readTimeout, "readTimeout");
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
            if (readTimeout.isNegative() || readTimeout.isZero()) {
                throw new IllegalArgumentException("readTimeout must be positive, got " + readTimeout);
            }
        }

        public static Config at(Path socketPath) {
            return new Config(socketPath, 8, Duration.ofSeconds(10));
        }
    }

    private CniServer(Config config, CniHandler handler, ServerSocketChannel server) {
        this.config = config;
        this.handler = handler;
        this.server = server;
        this.workers = Executors.newFixedThreadPool(config.workers(), named("trellis-cni-worker"));
        this.deadlines = Executors.newSingleThreadScheduledExecutor(named("trellis-cni-deadline"));
        this.acceptor = named("trellis-cni-accept").newThread(this::acceptLoop);
    }

    /** Binds the socket and starts accepting. */
    public static CniServer start(Config config, CniHandler handler) throws IOException {
        requireNonNull(config, "config");
        requireNonNull(handler, "handler");
        Path path = config.socketPath();
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // A socket file left by a crashed agent would make bind fail with EADDRINUSE.
        if (Files.exists(path) && !Files.isDirectory(path)) {
            Files.delete(path);
        }
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(path), 128);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        CniServer s = new CniServer(config, handler, channel);
        s.acceptor.start();
        log.info("CNI server listening on {}", path);
        return s;
    }

    public Path socketPath() {
        return config.socketPath();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                log.warn("CNI server: accept on {} failed: {}", config.socketPath(), e.toString());
                continue;
            }
            try {
                workers.execute(() -> serve(client));
            } catch (RejectedExecutionException shuttingDown) {
                closeQuietly(client);
                return;
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            ScheduledFuture<?> deadline = deadlines.schedule(() -> closeQuietly(client),
                    config.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
            String line;
            try {
                line = AgentProtocol.readMessage(client);
            } finally {
                deadline.cancel(false);
            }
            CniReply reply;
            try {
                reply = handle(AgentProtocol.decodeRequest(line));
            } catch (ProtocolException e) {
                log.warn("CNI server: {}", e.getMessage());
                reply = CniReply.failure(new CniError(CniError.DECODE_FAILURE, "the trellis agent could not read the"
                        + " request", e.getMessage()));
            }
            AgentProtocol.writeMessage(client, AgentProtocol.encodeReply(reply));
        } catch (IOException | ProtocolException e) {
            log.warn("CNI server: exchange with a client failed: {}", e.toString());
        }
    }

    private CniReply handle(CniRequest request) {
        long start = System.nanoTime();
        String what = request.command() + " " + request.containerId().orElse("-") + "/" + request.ifName().orElse("-")
                + request.pod().map(p -> " pod " + p).orElse("");
        try {
            CniReply reply;
            switch (request.command()) {
                case ADD:
                    CniResult result = handler.add(request);
                    if (result == null) {
                        throw new IllegalStateException("CniHandler.add returned null");
                    }
                    reply = CniReply.success(result);
                    break;
                case DEL:
                    handler.del(request);
                    reply = CniReply.success();
                    break;
                case CHECK:
                    handler.check(request);
                    reply = CniReply.success();
                    break;
                case STATUS:
                    handler.status(request);
                    reply = CniReply.success();
                    break;
                case GC:
                    handler.gc(request);
                    reply = CniReply.success();
                    break;
                default:
                    throw new IllegalStateException("unexpected command " + request.command());
            }
            log.info("CNI {} done in {} ms", what, (System.nanoTime() - start) / 1_000_000);
            return reply;
        } catch (CniException e) {
            log.info("CNI {} failed: {}", what, e.error());
            return CniReply.failure(e.error());
        } catch (RuntimeException e) {
            log.error("CNI {} failed", what, e);
            return CniReply.failure(new CniError(CniError.AGENT_FAILURE, "trellis agent: " + request.command()
                    + " failed: " + e, Optional.empty()));
        }
    }

    /** Stops accepting, lets running requests finish (up to 30 s) and removes the socket file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(server);
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        deadlines.shutdownNow();
        try {
            Files.deleteIfExists(config.socketPath());
        } catch (IOException e) {
            log.warn("CNI server: cannot remove {}: {}", config.socketPath(), e.toString());
        }
    }

    private static void closeQuietly(Channel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Nothing more to do for a channel that fails to close.
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
