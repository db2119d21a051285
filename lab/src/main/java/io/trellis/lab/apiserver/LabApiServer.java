package io.trellis.lab.apiserver;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's Kubernetes API stand-in as a process: fabric8's mock server in CRUD mode behind {@link LabDispatcher},
 * on plain HTTP. It writes a kubeconfig for itself once it listens (the file appearing is the "ready" signal) and
 * runs until it gets SIGTERM. State is in memory only.
 *
 * <pre>java io.trellis.lab.apiserver.LabApiServer --kubeconfig FILE [--address 127.0.0.1] [--port 0]</pre>
 */
public final class LabApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LabApiServer.class);

    private final MockWebServer server;
    private final Thread drainer;
    /** Held so that its level sticks: java.util.logging keeps loggers only weakly. */
    private final java.util.logging.Logger requestLog;

    private final InetAddress address;

    private LabApiServer(MockWebServer server, InetAddress address, Thread drainer, java.util.logging.Logger requestLog) {
        this.server = server;
        this.address = address;
        this.drainer = drainer;
        this.requestLog = requestLog;
    }

    /** Starts a stand-in on the address and port (0: any free port). */
    public static LabApiServer start(InetAddress address, int port) {
        Objects.requireNonNull(address, "address");
        // MockWebServer logs one INFO line per request through java.util.logging.
        java.util.logging.Logger requestLog = java.util.logging.Logger.getLogger(MockWebServer.class.getName());
        requestLog.setLevel(Level.WARNING);
        MockWebServer server = new MockWebServer();
        KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
        // The server address is only known once it listens; discovery only echoes it to clients.
        server.setDispatcher(new LabDispatcher(crud, new DiscoveryDocuments(address.getHostAddress() + ":" + port)));
        server.start(address, port);
        // MockWebServer keeps every request (with its body) in an unbounded queue for tests to inspect.
        Thread drainer = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    server.takeRequest();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "request-queue-drainer");
        drainer.setDaemon(true);
        drainer.start();
        return new LabApiServer(server, address, drainer, requestLog);
    }

    public String url() {
        // The address, not a host name: "localhost" may resolve to ::1 first.
        return "http://" + address.getHostAddress() + ":" + server.getPort();
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        drainer.interrupt();
        server.shutdown();
    }

    /** Writes a kubeconfig for a server URL, atomically (readers never see a partial file). */
    public static void writeKubeconfig(Path file, String serverUrl) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: trellis-lab
                  cluster:
                    server: %s
                users:
                - name: trellis-lab
                  user:
                    token: trellis-lab
                contexts:
                - name: trellis-lab
                  context:
                    cluster: trellis-lab
                    user: trellis-lab
                    namespace: default
                current-context: trellis-lab
                """.formatted(serverUrl);
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".kubeconfig", ".tmp");
            Files.writeString(tmp, yaml);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write kubeconfig " + file + ": " + e.getMessage(), e);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        Path kubeconfig = null;
        String address = "127.0.0.1";
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--kubeconfig" -> kubeconfig = Path.of(require(args[i], value));
                case "--address" -> address = require(args[i], value);
                case "--port" -> port = Integer.parseInt(require(args[i], value));
                default -> usage("unknown argument '" + args[i] + "'");
            }
            i++;
        }
        if (kubeconfig == null) {
            usage("--kubeconfig is required");
        }
        LabApiServer server;
        try {
            server = start(InetAddress.getByName(address), port);
        } catch (IOException e) {
            usage("bad --address '" + address + "': " + e.getMessage());
            return;
        }
        writeKubeconfig(kubeconfig, server.url());
        LOG.info("Kubernetes API stand-in listening on {}; kubeconfig {}", server.url(), kubeconfig);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "apiserver-shutdown"));
        stopped.await();
    }

    private static String require(String option, String value) {
        if (value == null) {
            usage(option + " needs a value");
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println("lab-apiserver: " + problem);
        System.err.println("usage: lab-apiserver --kubeconfig FILE [--address 127.0.0.1] [--port 0]");
        System.exit(2);
    }
}
