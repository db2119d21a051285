package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * TCP connections from a pod: the socket is created inside the pod's network namespace (on a thread
 * that entered it), connects and reads the one line the server answers with (its pod's name). A
 * fresh connection per call, so each one goes through the Service's select group as a new flow.
 */
final class PodClient implements AutoCloseable {
    private final NamespaceSwitcher switcher;
    private final NetNamespace netns;

    PodClient(String netnsName) {
        Syscalls sys = Syscalls.system();
        this.switcher = new NamespaceSwitcher(sys);
        this.netns = NetNamespace.named(sys, requireNonNull(netnsName, "netnsName"));
    }

    /** The line the server at {@code ip:port} answered with, or {@code "failed: <why>"}. */
    String ask(String ip, int port, Duration timeout) {
        try {
            return switcher.call(netns, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getByName(ip), port), (int) timeout.toMillis());
                    s.setSoTimeout((int) timeout.toMillis());
                    String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                            .readLine();
                    return line == null ? "failed: closed without an answer" : line;
                } catch (IOException e) {
                    return "failed: " + e.getMessage();
                }
            });
        } catch (RuntimeException e) {
            return "failed: " + e.getMessage();
        }
    }

    static boolean answered(String answer) {
        return !answer.startsWith("failed");
    }

    @Override
    public void close() {
        netns.close();
    }
}
