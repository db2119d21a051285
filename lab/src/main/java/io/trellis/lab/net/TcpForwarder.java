package io.trellis.lab.net;

import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the lab's API server, which listens on the host's loopback, reachable on the same address inside a
 * node's network namespace: a listening socket created inside the namespace (it stays there), each accepted
 * connection relayed to the target from the host's namespace. The agent in the node then uses the lab's
 * kubeconfig unchanged.
 */
public final class TcpForwarder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpForwarder.class);

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final String name;

    private TcpForwarder(ServerSocket listener, InetSocketAddress target, String name) {
        this.listener = listener;
        this.target = target;
        this.name = name;
    }

    /** Listens on {@code listen} inside {@code namespace} and relays to {@code target} from the caller's namespace. */
    public static TcpForwarder start(NamespaceSwitcher switcher, NetNamespace namespace, InetSocketAddress listen,
                                     InetSocketAddress target) {
        Objects.requireNonNull(target, "target");
        ServerSocket listener = switcher.call(namespace, () -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(listen, 64);
            return s;
        });
        String name = "forward " + namespace.description() + " " + listen + " -> " + target;
        TcpForwarder forwarder = new TcpForwarder(listener, target, name);
        Thread acceptor = new Thread(forwarder::acceptLoop, name);
        acceptor.setDaemon(true);
        acceptor.start();
        return forwarder;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket inside;
            try {
                inside = listener.accept();
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    LOG.warn("{}: accept failed: {}", name, e.getMessage());
                }
                return;
            }
            Socket outside = new Socket();
            try {
                outside.connect(target, 5000);
            } catch (IOException e) {
                LOG.warn("{}: cannot connect: {}", name, e.getMessage());
                closeQuietly(inside);
                closeQuietly(outside);
                continue;
            }
            pump(inside, outside);
            pump(outside, inside);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                LOG.debug("{}: {}", name, e.getMessage());
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
