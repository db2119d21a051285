package io.trellis.e2e;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * TCP and UDP between namespaces with plain Java sockets: a socket stays in the namespace it was
 * created in (created on a thread that {@code setns}ed there), whichever thread uses it afterwards.
 */
final class Traffic {
    private static final int TIMEOUT_MS = 5000;

    private final Syscalls sys = Syscalls.system();
    private final NamespaceSwitcher switcher = new NamespaceSwitcher(sys);

    /** A named namespace (the node's) or a pod's by path. */
    NetNamespace open(String netnsName) {
        return NetNamespace.named(sys, netnsName);
    }

    /**
     * A TCP server in {@code serverNs} on {@code ip} accepts one connection and answers the first
     * line with {@code reply}; a client in {@code clientNs} sends {@code message}. Returns what the
     * client read and what the server received, as {@code "<server got> | <client got>"}.
     */
    String tcp(String serverNs, String ip, String clientNs, String message, String reply) throws Exception {
        try (NetNamespace server = open(serverNs); NetNamespace client = open(clientNs);
             ServerSocket listening = switcher.call(server, () -> {
                 ServerSocket s = new ServerSocket();
                 s.bind(new InetSocketAddress(InetAddress.getByName(ip), 0));
                 return s;
             })) {
            listening.setSoTimeout(TIMEOUT_MS);
            CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                try (Socket s = listening.accept()) {
                    s.setSoTimeout(TIMEOUT_MS);
                    String got = reader(s).readLine();
                    writer(s).println(reply);
                    return got;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            String answer = switcher.call(client, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getByName(ip), listening.getLocalPort()), TIMEOUT_MS);
                    s.setSoTimeout(TIMEOUT_MS);
                    writer(s).println(message);
                    return reader(s).readLine();
                }
            });
            return served.get(TIMEOUT_MS * 2L, TimeUnit.MILLISECONDS) + " | " + answer;
        }
    }

    /** Like {@link #tcp} with one UDP datagram each way. */
    String udp(String serverNs, String ip, String clientNs, String message, String reply) throws Exception {
        try (NetNamespace server = open(serverNs); NetNamespace client = open(clientNs);
             DatagramSocket listening = switcher.call(server, () ->
                     new DatagramSocket(new InetSocketAddress(InetAddress.getByName(ip), 0)));
             DatagramSocket sending = switcher.call(client, () -> new DatagramSocket())) {
            listening.setSoTimeout(TIMEOUT_MS);
            sending.setSoTimeout(TIMEOUT_MS);
            CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                try {
                    DatagramPacket in = new DatagramPacket(new byte[1500], 1500);
                    listening.receive(in);
                    byte[] out = reply.getBytes(StandardCharsets.UTF_8);
                    listening.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
                    return new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            byte[] out = message.getBytes(StandardCharsets.UTF_8);
            sending.send(new DatagramPacket(out, out.length, InetAddress.getByName(ip), listening.getLocalPort()));
            DatagramPacket in = new DatagramPacket(new byte[1500], 1500);
            sending.receive(in);
            String answer = new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
            return served.get(TIMEOUT_MS * 2L, TimeUnit.MILLISECONDS) + " | " + answer;
        }
    }

    /** One TCP connection kept open between two namespaces, for checking that it survives something. */
    TcpSession session(String serverNs, String ip, String clientNs) throws Exception {
        try (NetNamespace server = open(serverNs); NetNamespace client = open(clientNs);
             ServerSocket listening = switcher.call(server, () -> {
                 ServerSocket s = new ServerSocket();
                 s.bind(new InetSocketAddress(InetAddress.getByName(ip), 0));
                 return s;
             })) {
            listening.setSoTimeout(TIMEOUT_MS);
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return listening.accept();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Socket clientSocket = switcher.call(client, () -> {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(InetAddress.getByName(ip), listening.getLocalPort()), TIMEOUT_MS);
                return s;
            });
            return new TcpSession(clientSocket, accepted.get(TIMEOUT_MS * 2L, TimeUnit.MILLISECONDS));
        }
    }

    /** The two ends of one TCP connection. */
    static final class TcpSession implements AutoCloseable {
        private final Socket client;
        private final Socket server;
        private final BufferedReader clientIn;
        private final BufferedReader serverIn;

        TcpSession(Socket client, Socket server) throws IOException {
            this.client = requireNonNull(client, "client");
            this.server = requireNonNull(server, "server");
            client.setSoTimeout(TIMEOUT_MS);
            server.setSoTimeout(TIMEOUT_MS);
            this.clientIn = reader(client);
            this.serverIn = reader(server);
        }

        /** The client sends a line, the server answers it with "echo " + line; returns the answer. */
        String roundTrip(String line) throws IOException {
            writer(client).println(line);
            String got = serverIn.readLine();
            writer(server).println("echo " + got);
            return clientIn.readLine();
        }

        @Override
        public void close() throws IOException {
            try (client; server) {
                // closes both
            }
        }
    }

    private static BufferedReader reader(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    }

    private static PrintWriter writer(Socket s) throws IOException {
        return new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
    }
}
