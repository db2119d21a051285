package io.trellis.lab.workload;

import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * The built-in client of the reachability probe: from inside a pod's network namespace, connects to another
 * pod's workload and checks that the answer names that pod.
 */
public final class ProbeClient {
    public enum Protocol { TCP, UDP }

    private final NamespaceSwitcher switcher;
    private final Duration timeout;

    public ProbeClient(NamespaceSwitcher switcher, Duration timeout) {
        this.switcher = Objects.requireNonNull(switcher, "switcher");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Whether {@code expected} (the target's "NS/POD") answers on ip:port, probed from inside {@code from}. */
    public boolean probe(NetNamespace from, InetAddress ip, int port, Protocol protocol, String expected) {
        return switcher.call(from, () -> protocol == Protocol.TCP
                ? tcp(ip, port, expected) : udp(ip, port, expected));
    }

    private boolean tcp(InetAddress ip, int port, String expected) {
        int millis = (int) timeout.toMillis();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(ip, port), millis);
            socket.setSoTimeout(millis);
            byte[] answer = socket.getInputStream().readNBytes(expected.length() + 1);
            return new String(answer, StandardCharsets.UTF_8).equals(expected + "\n");
        } catch (IOException e) {
            return false;
        }
    }

    private boolean udp(InetAddress ip, int port, String expected) {
        // A few tries within the timeout: a datagram may be lost while the first ARP resolves.
        int tries = 3;
        int perTry = Math.max(100, (int) timeout.toMillis() / tries);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(perTry);
            byte[] request = "probe".getBytes(StandardCharsets.UTF_8);
            byte[] buffer = new byte[1500];
            for (int i = 0; i < tries; i++) {
                socket.send(new DatagramPacket(request, request.length, ip, port));
                try {
                    DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                    socket.receive(reply);
                    return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8).equals(expected);
                } catch (SocketTimeoutException e) {
                    // try again
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
