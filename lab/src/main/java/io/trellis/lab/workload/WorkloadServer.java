package io.trellis.lab.workload;

import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in workload of every lab pod, for all pods in one thread: on each of the pod's ports a TCP server
 * that writes "NS/POD\n" to each connection and closes it, and a UDP server that answers every datagram with
 * "NS/POD" (a datagram "who" gets "NS/POD CLIENT-IP": the source address the pod saw, for the tests of source
 * NAT and of client addresses kept). Each pod's sockets are created inside its network namespace (a socket
 * keeps the namespace it was created in), then served from here like any other socket.
 */
public final class WorkloadServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkloadServer.class);
    /** The UDP request answered with the client's address too. */
    public static final String WHO = "who";

    private final NamespaceSwitcher switcher;
    private final Selector selector;
    private final Thread loop;
    private final Map<String, List<SelectableChannel>> channelsByPod = new HashMap<>();
    private final ConcurrentLinkedQueue<Runnable> pending = new ConcurrentLinkedQueue<>();

    public WorkloadServer(NamespaceSwitcher switcher) {
        this.switcher = Objects.requireNonNull(switcher, "switcher");
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.loop = new Thread(this::run, "workload");
        this.loop.setDaemon(true);
        this.loop.start();
    }

    /**
     * Starts serving a pod: TCP and UDP on every port, bound to all addresses of its namespace.
     *
     * @param podKey "NS/POD", also the answer
     */
    public synchronized void serve(String podKey, NetNamespace podNetns, Set<Integer> ports) {
        stop(podKey);
        byte[] answer = podKey.getBytes(StandardCharsets.UTF_8);
        List<SelectableChannel> channels = switcher.call(podNetns, () -> {
            List<SelectableChannel> opened = new ArrayList<>();
            try {
                for (int port : ports) {
                    ServerSocketChannel tcp = ServerSocketChannel.open();
                    opened.add(tcp);
                    tcp.bind(new InetSocketAddress(port), 128);
                    DatagramChannel udp = DatagramChannel.open();
                    opened.add(udp);
                    udp.bind(new InetSocketAddress(port));
                }
                return opened;
            } catch (IOException | RuntimeException e) {
                closeAll(opened);
                throw new IllegalStateException("cannot listen on ports " + ports + " in " + podNetns.description()
                        + ": " + e.getMessage(), e);
            }
        });
        channelsByPod.put(podKey, channels);
        pending.add(() -> {
            for (SelectableChannel channel : channels) {
                try {
                    channel.configureBlocking(false);
                    int ops = channel instanceof ServerSocketChannel ? SelectionKey.OP_ACCEPT : SelectionKey.OP_READ;
                    channel.register(selector, ops, answer);
                } catch (IOException e) {
                    LOG.warn("{}: cannot serve {}: {}", podKey, channel, e.getMessage());
                }
            }
        });
        selector.wakeup();
        LOG.info("{}: serving TCP and UDP on ports {}", podKey, ports);
    }

    public synchronized boolean isServing(String podKey) {
        return channelsByPod.containsKey(podKey);
    }

    /** Stops serving a pod (closing its sockets); does nothing for an unknown pod. */
    public synchronized void stop(String podKey) {
        List<SelectableChannel> channels = channelsByPod.remove(podKey);
        if (channels != null) {
            closeAll(channels);
            selector.wakeup();
        }
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                selector.select();
                for (Runnable r = pending.poll(); r != null; r = pending.poll()) {
                    r.run();
                }
                var keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    byte[] answer = (byte[]) key.attachment();
                    try {
                        if (key.isValid() && key.isAcceptable()) {
                            answerTcp((ServerSocketChannel) key.channel(), answer);
                        } else if (key.isValid() && key.isReadable()) {
                            answerUdp((DatagramChannel) key.channel(), answer, buffer);
                        }
                    } catch (IOException e) {
                        LOG.debug("workload socket: {}", e.getMessage());
                    }
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            LOG.debug("workload loop ends: {}", e.toString());
        }
    }

    private static void answerTcp(ServerSocketChannel server, byte[] answer) throws IOException {
        SocketChannel connection = server.accept();
        if (connection == null) {
            return;
        }
        try (connection) {
            ByteBuffer out = ByteBuffer.allocate(answer.length + 1).put(answer).put((byte) '\n').flip();
            // A few bytes always fit in a fresh connection's send buffer; blocking writes keep this simple.
            connection.configureBlocking(true);
            while (out.hasRemaining()) {
                connection.write(out);
            }
        }
    }

    private static void answerUdp(DatagramChannel channel, byte[] answer, ByteBuffer buffer) throws IOException {
        buffer.clear();
        SocketAddress from = channel.receive(buffer);
        if (from == null) {
            return;
        }
        buffer.flip();
        if (from instanceof InetSocketAddress peer && StandardCharsets.US_ASCII.decode(buffer).toString().equals(WHO)) {
            // The address this pod sees, for tests of source NAT and of client addresses kept.
            channel.send(ByteBuffer.wrap((new String(answer, StandardCharsets.UTF_8) + " "
                    + peer.getAddress().getHostAddress()).getBytes(StandardCharsets.UTF_8)), from);
        } else {
            channel.send(ByteBuffer.wrap(answer), from);
        }
    }

    private static void closeAll(List<SelectableChannel> channels) {
        for (SelectableChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing {}: {}", channel, e.getMessage());
            }
        }
    }

    @Override
    public synchronized void close() {
        for (String pod : List.copyOf(channelsByPod.keySet())) {
            stop(pod);
        }
        loop.interrupt();
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing selector: {}", e.getMessage());
        }
    }
}
