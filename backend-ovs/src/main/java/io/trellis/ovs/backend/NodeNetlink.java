package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.ethtool.Ethtool;
import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.sys.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Netlink access to the node's network namespace (where ovs-vswitchd runs, so where the bridge's
 * internal ports and the host ends of pod veths live) and to pod namespaces. The node namespace is
 * the agent's own in production; tests pass the namespace of an isolated OVS instance.
 */
public final class NodeNetlink implements AutoCloseable {

    private final Syscalls sys;
    private final NamespaceSwitcher switcher;
    private final NetNamespace node;
    private final RtNetlink rtnl;
    private final Ethtool ethtool;

    private NodeNetlink(Syscalls sys, NetNamespace node) {
        this.sys = sys;
        this.switcher = new NamespaceSwitcher(sys);
        this.node = node;
        this.rtnl = RtNetlink.openIn(sys, switcher, node);
        this.ethtool = new Ethtool(sys, switcher);
    }

    /**
     * Netlink in {@code node}, which this object owns from now on (closed by {@link #close()}): a
     * namespace handle from {@link NetNamespace#named} or {@link NetNamespace#ofProcess}.
     */
    public static NodeNetlink in(Syscalls sys, NetNamespace node) {
        requireNonNull(sys, "sys");
        requireNonNull(node, "node");
        try {
            return new NodeNetlink(sys, node);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** Netlink in the calling thread's namespace: the agent's node namespace. */
    public static NodeNetlink current(Syscalls sys) {
        return in(sys, NetNamespace.ofCurrentThread(sys));
    }

    /** rtnetlink in the node namespace. */
    public RtNetlink node() {
        return rtnl;
    }

    public NetNamespace nodeNamespace() {
        return node;
    }

    public Ethtool ethtool() {
        return ethtool;
    }

    /** Runs tasks inside a namespace, e.g. {@link #nodeNamespace()} (used by {@link NodeMasquerade}). */
    public NamespaceSwitcher switcher() {
        return switcher;
    }

    /**
     * Keeps the node's IP stack out of a pod port's traffic. With the userspace datapath OVS reads
     * the host end of a pod veth with AF_PACKET, so the node kernel sees every frame too: left
     * alone, it would answer the pod's ARP for the gateway IP with the veth's own MAC (the gateway
     * is a local address), and then route every frame sent to that MAC a second time, back into
     * OVS through the gateway. So: never answer ARP on it ({@code arp_ignore=8}), never forward what
     * arrives on it ({@code forwarding=0}), and no IPv6 on it. Harmless with the kernel datapath.
     */
    public void isolateFromNodeStack(String hostInterface) {
        requireNonNull(hostInterface, "hostInterface");
        switcher.run(node, () -> {
            writeSysctl("net/ipv4/conf/" + hostInterface + "/arp_ignore", "8");
            writeSysctl("net/ipv4/conf/" + hostInterface + "/forwarding", "0");
            writeSysctl("net/ipv6/conf/" + hostInterface + "/disable_ipv6", "1");
        });
    }

    /** A sysctl of the node namespace, e.g. {@code net/ipv4/conf/eth0/arp_ignore}. */
    public String sysctl(String key) {
        requireNonNull(key, "key");
        return switcher.call(node, () -> Files.readString(Path.of("/proc/sys").resolve(key)).strip());
    }

    /** Sets a sysctl of the node namespace. */
    public void setSysctl(String key, String value) {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        switcher.run(node, () -> writeSysctl(key, value));
    }

    private static void writeSysctl(String key, String value) {
        Path file = Path.of("/proc/sys").resolve(key);
        try {
            Files.writeString(file, value);
        } catch (java.nio.file.NoSuchFileException e) {
            if (!key.startsWith("net/ipv6/")) { // no IPv6 in this kernel or namespace: nothing to turn off
                throw new UncheckedIOException("cannot set " + key + ": it does not exist", e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set " + key + " to " + value + ": " + e.getMessage(), e);
        }
    }

    /** Opens a pod's namespace by path (CNI_NETNS); fails with a {@code SyscallException} when it does not exist. */
    public NetNamespace openNamespace(Path netns) {
        return NetNamespace.open(sys, requireNonNull(netns, "netns"));
    }

    /** rtnetlink inside {@code namespace}; close it after use. */
    public RtNetlink openIn(NetNamespace namespace) {
        return RtNetlink.openIn(sys, switcher, namespace);
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
