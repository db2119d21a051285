package io.trellis.netlink;

import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.SyscallException;
import io.trellis.netlink.sys.Syscalls;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A netlink socket bound to the network namespace of the thread that opened it (a socket keeps that netns
 * for life, whichever thread later uses it). Requests are serialised: one exchange at a time per socket.
 */
public final class NetlinkSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NetlinkSocket.class);
    private static final int RECV_BUFFER = 64 * 1024;
    private static final int DUMP_ATTEMPTS = 5;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Syscalls sys;
    private final int fd;
    private final int protocol;
    private final Pointer recvBuffer;
    private final byte[] recvBytes = new byte[RECV_BUFFER];
    private final AtomicInteger sequence = new AtomicInteger(1);
    private final Object lock = new Object();
    private boolean closed;

    private NetlinkSocket(Syscalls sys, int fd, int protocol) {
        this.sys = sys;
        this.fd = fd;
        this.protocol = protocol;
        this.recvBuffer = sys.allocate(RECV_BUFFER);
    }

    /** Opens a socket of the given netlink protocol in the calling thread's network namespace. */
    public static NetlinkSocket open(Syscalls sys, int protocol, Duration timeout) {
        Objects.requireNonNull(sys, "sys");
        int fd = sys.socket(Netlink.AF_NETLINK, Syscalls.SOCK_RAW, protocol);
        try {
            sys.bind(fd, sockaddrNl(0), "AF_NETLINK protocol " + protocol);
            long micros = timeout.toNanos() / 1000;
            byte[] timeval = ByteBuffer.allocate(16).order(Netlink.ORDER)
                    .putLong(micros / 1_000_000).putLong(micros % 1_000_000).array();
            sys.setsockopt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_RCVTIMEO, timeval, "SO_RCVTIMEO");
            enableOptional(sys, fd, Netlink.NETLINK_EXT_ACK, "NETLINK_EXT_ACK");
            enableOptional(sys, fd, Netlink.NETLINK_CAP_ACK, "NETLINK_CAP_ACK");
            return new NetlinkSocket(sys, fd, protocol);
        } catch (RuntimeException e) {
            sys.close(fd);
            throw e;
        }
    }

    public static NetlinkSocket openRoute(Syscalls sys) {
        return open(sys, Netlink.NETLINK_ROUTE, DEFAULT_TIMEOUT);
    }

    /** Opens a NETLINK_ROUTE socket inside {@code namespace}; it stays bound there whichever thread uses it. */
    public static NetlinkSocket openRouteIn(Syscalls sys, NamespaceSwitcher switcher, NetNamespace namespace) {
        return switcher.call(namespace, () -> openRoute(sys));
    }

    // Extended ACK gives readable kernel messages and CAP_ACK keeps error replies small; both are
    // conveniences, so a kernel without them still works.
    private static void enableOptional(Syscalls sys, int fd, int option, String name) {
        try {
            sys.setsockopt(fd, Netlink.SOL_NETLINK, option, ByteBuffer.allocate(4).order(Netlink.ORDER).putInt(1).array(), name);
        } catch (SyscallException e) {
            LOG.debug("netlink option {} unavailable: {}", name, e.getMessage());
        }
    }

    /** struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; } */
    private static byte[] sockaddrNl(int portId) {
        return ByteBuffer.allocate(12).order(Netlink.ORDER)
                .putShort((short) Netlink.AF_NETLINK).putShort((short) 0).putInt(portId).putInt(0).array();
    }

    /** Sends a request with NLM_F_ACK and waits for the ACK; returns any replies that came before it. */
    public List<NetlinkMessage> request(NetlinkRequest request) {
        NetlinkRequest acked = new NetlinkRequest(request.type(), request.flags() | Netlink.NLM_F_ACK,
                request.payload(), request.description());
        return exchange(acked).replies();
    }

    /** Sends a dump request (NLM_F_DUMP) and returns every reply until NLMSG_DONE, retrying interrupted dumps. */
    public List<NetlinkMessage> dump(NetlinkRequest request) {
        NetlinkRequest dump = new NetlinkRequest(request.type(), request.flags() | Netlink.NLM_F_DUMP,
                request.payload(), request.description());
        for (int attempt = 1; ; attempt++) {
            ReplyCollector collector = exchange(dump);
            if (!collector.interrupted()) {
                return collector.replies();
            }
            if (attempt == DUMP_ATTEMPTS) {
                throw new NetlinkException(request.description(), Errno.EAGAIN.number(),
                        "dump interrupted by concurrent changes " + DUMP_ATTEMPTS + " times", Optional.empty());
            }
            LOG.debug("{}: dump interrupted (NLM_F_DUMP_INTR), retrying", request.description());
        }
    }

    private ReplyCollector exchange(NetlinkRequest request) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("netlink socket closed: " + request.description());
            }
            int seq = sequence.getAndIncrement();
            ReplyCollector collector = new ReplyCollector(request, seq, sys::strerror);
            sys.sendto(fd, request.toMessage(seq).encode(), sockaddrNl(0), request.description());
            while (!collector.complete()) {
                long n;
                try {
                    n = sys.recv(fd, recvBuffer, RECV_BUFFER, request.description());
                } catch (SyscallException e) {
                    if (e.is(Errno.EAGAIN)) {
                        throw new NetlinkException(request.description(), Errno.ETIMEDOUT.number(),
                                "no reply from the kernel in time", Optional.empty());
                    }
                    throw e;
                }
                if (n > RECV_BUFFER) {
                    throw new NetlinkException(request.description(), Errno.EMSGSIZE.number(),
                            "reply of " + n + " bytes exceeds the " + RECV_BUFFER + "-byte receive buffer",
                            Optional.empty());
                }
                recvBuffer.get(0, recvBytes, 0, (int) n);
                for (NetlinkMessage m : NetlinkMessageReader.split(recvBytes, (int) n)) {
                    if (collector.complete()) {
                        LOG.debug("{}: ignoring trailing message {}", request.description(), m);
                    } else {
                        collector.accept(m);
                    }
                }
            }
            return collector;
        }
    }

    public int protocol() {
        return protocol;
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (!closed) {
                closed = true;
                sys.close(fd);
            }
        }
    }
}
