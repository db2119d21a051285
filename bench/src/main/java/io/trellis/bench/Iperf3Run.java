package io.trellis.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One iperf3 measurement between the pods of a {@link PodPair}: a one-off server ({@code -s -1}) in the
 * server pod, then the client in the client pod with one TCP stream for {@code seconds} after
 * {@code omitSeconds} not counted (slow start), its JSON report parsed. Both run with {@code ip netns exec}
 * in the pods' namespaces, the same way for every setup.
 */
final class Iperf3Run {
    static final int PORT = 5201;
    private static final Duration LISTEN_WAIT = Duration.ofSeconds(10);

    private Iperf3Run() {
    }

    /** The client's command line: the same for every setup but the namespace and the server's address. */
    static List<String> clientCommand(PodPair pods, int seconds, int omitSeconds) {
        return List.of("ip", "netns", "exec", pods.client().netns(), "iperf3", "--client", pods.server().ip(),
                "--port", String.valueOf(PORT), "--time", String.valueOf(seconds), "--omit", String.valueOf(omitSeconds),
                "--parallel", "1", "--connect-timeout", "5000", "--json");
    }

    static Iperf3Result measure(PodPair pods, int seconds, int omitSeconds) {
        Process server;
        try {
            server = new ProcessBuilder("ip", "netns", "exec", pods.server().netns(), "iperf3", "--server", "--one-off",
                    "--port", String.valueOf(PORT))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the iperf3 server in " + pods.server().netns(), e);
        }
        try {
            awaitListening(server, pods.server().netns());
            HostCommand.Output client = HostCommand.capture(clientCommand(pods, seconds, omitSeconds),
                    Duration.ofSeconds(seconds + omitSeconds + 60L));
            Iperf3Result result = Iperf3Result.parse(client.stdout());
            client.check();
            return result;
        } finally {
            try {
                if (!server.waitFor(5, TimeUnit.SECONDS)) {
                    HostCommand.kill(server);
                }
            } catch (InterruptedException e) {
                HostCommand.kill(server);
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The server prints nothing reliable when it listens: poll the socket table of its namespace. */
    private static void awaitListening(Process server, String netns) {
        long deadline = System.nanoTime() + LISTEN_WAIT.toNanos();
        List<String> ss = List.of("ip", "netns", "exec", netns, "ss", "-H", "-l", "-t", "-n", "sport", "=",
                ":" + PORT);
        while (true) {
            if (!server.isAlive()) {
                throw new IllegalStateException("the iperf3 server in " + netns + " exited with " + server.exitValue()
                        + " before listening on " + PORT + " (port taken?)");
            }
            if (!HostCommand.capture(ss, Duration.ofSeconds(10)).check().stdout().isBlank()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the iperf3 server in " + netns + " is not listening on " + PORT
                        + " after " + LISTEN_WAIT);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** A few pings first: the path works, and the first packet's tunnel-peer ARP is not in the measurement. */
    static void warmUp(PodPair pods) {
        HostCommand.Output ping = HostCommand.capture(List.of("ip", "netns", "exec", pods.client().netns(), "ping", "-c",
                "3", "-i", "0.5", "-W", "2", pods.server().ip()), Duration.ofSeconds(20));
        if (!ping.succeeded()) {
            throw new IllegalStateException("pod " + pods.client().ip() + " (" + pods.client().netns() + ") cannot reach "
                    + pods.server().ip() + " (" + pods.server().netns() + "):\n" + ping.stdout() + ping.stderr());
        }
    }
}
