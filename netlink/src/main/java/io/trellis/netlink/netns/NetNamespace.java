package io.trellis.netlink.netns;

import io.trellis.netlink.sys.Syscalls;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An open handle (file descriptor) on a network namespace, from a bind mount such as
 * /var/run/netns/NAME or from /proc/PID/ns/net. Holding it keeps the namespace alive; close it when done.
 */
public final class NetNamespace implements AutoCloseable {
    public static final Path NAMED_DIR = Path.of("/var/run/netns");

    private final Syscalls sys;
    private final int fd;
    private final String description;
    private boolean closed;

    private NetNamespace(Syscalls sys, int fd, String description) {
        this.sys = sys;
        this.fd = fd;
        this.description = description;
    }

    public static NetNamespace open(Syscalls sys, Path path) {
        Objects.requireNonNull(path, "path");
        return new NetNamespace(sys, sys.openReadOnly(path.toString()), path.toString());
    }

    /** A namespace created by {@code ip netns add NAME} (bind-mounted under /var/run/netns). */
    public static NetNamespace named(Syscalls sys, String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid netns name: '" + name + "'");
        }
        return open(sys, NAMED_DIR.resolve(name));
    }

    /** The network namespace of a process, e.g. a container's init. */
    public static NetNamespace ofProcess(Syscalls sys, long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("invalid pid " + pid);
        }
        return open(sys, Path.of("/proc", Long.toString(pid), "ns", "net"));
    }

    /** The namespace of the calling thread (setns is per thread, so not necessarily the process's). */
    public static NetNamespace ofCurrentThread(Syscalls sys) {
        return open(sys, Path.of("/proc/thread-self/ns/net"));
    }

    /** The descriptor, for IFLA_NET_NS_FD and setns. Valid until {@link #close()}. */
    public int fd() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("netns handle closed: " + description);
            }
            return fd;
        }
    }

    public String description() {
        return description;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            sys.close(fd);
        }
    }

    @Override
    public String toString() {
        return "NetNamespace[" + description + "]";
    }
}
