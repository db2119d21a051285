package io.trellis.controller.agentapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder on 127.0.0.1 between the client and the server, so that tests can break
 * connections the way networks do: cut them (both ends see the close), freeze them (the sockets stay
 * open but no byte passes: a half-dead connection), refuse new ones, or send new ones to another
 * server (a restarted controller).
 */
final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile int targetPort;
    private volatile boolean down;

    TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "test-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    void target(int port) {
        this.targetPort = port;
    }

    /** Closes every open connection and, while down, every new one at once. */
    void down(boolean value) {
        down = value;
        if (value) {
            cutAll();
        }
    }

    void cutAll() {
        links.forEach(Link::close);
        links.clear();
    }

    /** Existing connections stop passing bytes in both directions but stay open. */
    void freezeAll() {
        links.forEach(l -> l.frozen = true);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                if (down) {
                    client.close();
                    continue;
                }
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                Link link = new Link(client, server);
                links.add(link);
                pump(link, client, server);
                pump(link, server, client);
            } catch (IOException e) {
                // listener closed, or the target is not there: the client sees a closed connection
            }
        }
    }

    private static void pump(Link link, Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!link.frozen) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                link.close();
            }
        }, "test-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        cutAll();
    }

    private static final class Link {
        final Socket a;
        final Socket b;
        volatile boolean frozen;

        Link(Socket a, Socket b) {
            this.a = a;
            this.b = b;
        }

        void close() {
            try {
                a.close();
            } catch (IOException e) {
                // already closed
            }
            try {
                b.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
