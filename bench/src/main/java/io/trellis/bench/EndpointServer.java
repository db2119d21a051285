package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A TCP server in a pod's namespace ({@code python3}, started with {@code ip netns exec}) that
 * answers every connection with one line, its name, and closes it: enough for a client to see
 * which endpoint a Service sent it to. Accepts on all addresses, one connection at a time.
 */
final class EndpointServer implements AutoCloseable {
    private static final String SCRIPT = """
            import socket, sys
            name, port = sys.argv[1], int(sys.argv[2])
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", port))
            s.listen(1024)
            print("ready", flush=True)
            while True:
                c, _ = s.accept()
                try:
                    c.sendall((name + "\\n").encode())
                except OSError:
                    pass
                c.close()
            """;

    private final String name;
    private final Process process;

    private EndpointServer(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    /** Starts the server in {@code netns} on {@code port}; returns once it listens. */
    static EndpointServer start(String netns, String name, int port) {
        requireNonNull(netns, "netns");
        requireNonNull(name, "name");
        Process p;
        try {
            p = new ProcessBuilder(List.of("ip", "netns", "exec", netns, "python3", "-c", SCRIPT, name,
                    Integer.toString(port))).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the endpoint server " + name + " in " + netns, e);
        }
        EndpointServer server = new EndpointServer(name, p);
        try {
            String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (!"ready".equals(line)) {
                throw new IllegalStateException("endpoint server " + name + " in " + netns + " did not start (said "
                        + line + ", exit " + (p.isAlive() ? "none yet" : p.exitValue()) + ")");
            }
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    String name() {
        return name;
    }

    @Override
    public void close() {
        HostCommand.kill(process);
    }

    @Override
    public String toString() {
        return "endpoint server " + name;
    }
}
