package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.ethtool.Ethtool;
import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.sys.Syscalls;
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
