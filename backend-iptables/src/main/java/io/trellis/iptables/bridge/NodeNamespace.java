package io.trellis.iptables.bridge;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.sys.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The node's network namespace, where the bridge, the host ends of pod veths, the sysctls and the
 * iptables rules of this backend live: the agent's own namespace in production, a test namespace in
 * the integration tests. Also opens pod namespaces.
 *
 * <p>{@code /proc/sys/net} shows the namespace of the thread that opens it, and a child process is born
 * in the namespace of its forking thread, so both are done from a {@link NamespaceSwitcher} thread.
 */
final class NodeNamespace implements AutoCloseable {

    private final Syscalls sys;
    private final NamespaceSwitcher switcher;
    private final NetNamespace node;
    private final RtNetlink rtnl;

    private NodeNamespace(Syscalls sys, NetNamespace node) {
        this.sys = sys;
        this.switcher = new NamespaceSwitcher(sys);
        this.node = node;
        this.rtnl = RtNetlink.openIn(sys, switcher, node);
    }

    /** Works in {@code node}, which this object owns from now on (closed by {@link #close()}). */
    static NodeNamespace in(Syscalls sys, NetNamespace node) {
        requireNonNull(sys, "sys");
        requireNonNull(node, "node");
        try {
            return new NodeNamespace(sys, node);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** Works in the calling thread's namespace: the agent's, which is the node's. */
    static NodeNamespace current(Syscalls sys) {
        return in(sys, NetNamespace.ofCurrentThread(sys));
    }

    /** rtnetlink in the node namespace. */
    RtNetlink rtnl() {
        return rtnl;
    }

    NetNamespace namespace() {
        return node;
    }

    NamespaceSwitcher switcher() {
        return switcher;
    }

    String description() {
        return node.description();
    }

    /** A pod's namespace by path (CNI_NETNS); fails with a SyscallException when it does not exist. */
    NetNamespace openNamespace(Path netns) {
        return NetNamespace.open(sys, requireNonNull(netns, "netns"));
    }

    /** rtnetlink inside {@code namespace}; the caller closes it. */
    RtNetlink openIn(NetNamespace namespace) {
        return RtNetlink.openIn(sys, switcher, namespace);
    }

    /** A sysctl of the node namespace ({@code net/ipv4/ip_forward}); empty when this kernel has no such key. */
    Optional<String> sysctl(String key) {
        Path file = sysctlPath(key);
        return switcher.call(node, () -> {
            try {
                return Optional.of(Files.readString(file, StandardCharsets.US_ASCII).strip());
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        });
    }

    /** Sets a sysctl of the node namespace; fails naming the key when it does not exist or cannot be written. */
    void setSysctl(String key, String value) {
        requireNonNull(value, "value");
        Path file = sysctlPath(key);
        switcher.run(node, () -> {
            try {
                Files.writeString(file, value + "\n", StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set " + key + " to " + value + " in netns " + node.description()
                        + ": " + e, e);
            }
        });
    }

    private static Path sysctlPath(String key) {
        requireNonNull(key, "key");
        if (key.startsWith("/") || key.contains("..")) {
            throw new IllegalArgumentException("sysctl key must be relative to /proc/sys, got '" + key + "'");
        }
        return Path.of("/proc/sys").resolve(key);
    }

    @Override
    public void close() {
        try {
            rtnl.close();
        } finally {
            node.close();
        }
    }
}
