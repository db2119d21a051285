package io.trellis.iptables.vxlan;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.route.Address;
import io.trellis.netlink.route.IpPrefix;
import io.trellis.netlink.route.Link;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.route.Rtm;
import io.trellis.spi.model.TunnelType;
import io.trellis.spi.node.NodeInfo;
import io.trellis.spi.node.NodeRouteDriver;
import io.trellis.spi.node.NodeRouteException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node routes over one kernel VXLAN device, flannel-style but with no daemon-to-daemon protocol:
 * every fact comes from the Node objects.
 *
 * <p>The device ({@link VxlanSettings#device()}, default {@code trellis.vxlan}) has learning off and
 * no multicast group; its local address is this node's first IPv4 internal IP, its lower device the
 * interface holding that IP, its MAC {@link VtepMac derived from that IP}, its only IPv4 address the
 * pod CIDR's network address /32 (the VTEP IP, e.g. 10.244.1.0). Per remote node with IPv4 pod CIDR
 * {@code P} and node IP {@code N}:
 * <pre>
 *   bridge fdb replace 02:74:N dev trellis.vxlan dst N self permanent
 *   ip neigh replace P.network lladdr 02:74:N dev trellis.vxlan nud permanent
 *   ip route replace P via P.network dev trellis.vxlan onlink proto 117
 * </pre>
 * or, with {@code hostGateway} and {@code N} inside a subnet of one of this node's interfaces, only
 * {@code ip route replace P via N dev <that interface> proto 117}.
 *
 * <p>Ownership and restarts: routes carry protocol {@link #RTPROT_TRELLIS_VXLAN}; ARP and FDB entries
 * live on the VXLAN device, which nothing else programs. {@link #replaceAll} dumps those, so it
 * converges from any state an earlier run or a failure left. {@link #upsertNode}/{@link #removeNode}
 * work from what this instance installed.
 *
 * <p>MTU: {@link #encapsulationOverhead()} is always VXLAN's 50 bytes, also with {@code hostGateway}:
 * the pod MTU is node-wide and fixed at agent start, before the driver knows which (future) nodes are
 * directly reachable, so it must fit the tunnelled path.
 *
 * <p>IPv4 only: IPv6 pod CIDRs are not routed. The node must forward IPv4 ({@code net.ipv4.ip_forward=1},
 * a Kubernetes node prerequisite) for pods to use these routes.
 */
public final class VxlanNodeRouteDriver implements NodeRouteDriver, AutoCloseable {

    /**
     * rtm_protocol of this driver's routes (0x75). Not the ovs backend's 116 (0x74, its gateway host
     * routes): each backend's restart and uninstall then remove exactly their own routes, even on a
     * node that switched backends. Neither number is one iproute2 names or the kernel reserves.
     */
    public static final int RTPROT_TRELLIS_VXLAN = 117;

    private static final Logger LOG = LoggerFactory.getLogger(VxlanNodeRouteDriver.class);

    private final RtNetlink rtnl;
    private final VxlanSettings settings;
    private final IpPrefix localPodCidr;
    private final KernelEntries kernel;
    /** What this instance installed per remote node, by name (calls come from one thread). */
    private final Map<String, Installed> installed = new LinkedHashMap<>();
    private NodeInfo local;
    private int vxlanIndex;

    private record Installed(RemoteNode node, List<KernelEntry> entries) {
    }

    /**
     * @param rtnl         rtnetlink in the node's network namespace; closed by {@link #close()}
     * @param localPodCidr this node's IPv4 pod CIDR (its network address becomes the VTEP IP)
     */
    public VxlanNodeRouteDriver(RtNetlink rtnl, VxlanSettings settings, io.trellis.spi.model.IpPrefix localPodCidr) {
        this.rtnl = requireNonNull(rtnl, "rtnl");
        this.settings = requireNonNull(settings, "settings");
        requireNonNull(localPodCidr, "localPodCidr");
        if (!localPodCidr.isIpv4()) {
            throw new IllegalArgumentException("the local pod CIDR must be IPv4, got " + localPodCidr);
        }
        this.localPodCidr = new IpPrefix(localPodCidr.network(), localPodCidr.prefixLength());
        this.kernel = new KernelEntries(rtnl);
    }

    @Override
    public int encapsulationOverhead() {
        return TunnelType.VXLAN.ipv4Overhead();
    }

    @Override
    public void localNode(NodeInfo node) {
        requireNonNull(node, "local");
        node.podCidrs().stream().filter(io.trellis.spi.model.IpPrefix::isIpv4).findFirst()
                .map(p -> new IpPrefix(p.network(), p.prefixLength()))
                .filter(p -> !p.equals(localPodCidr))
                .ifPresent(p -> {
                    throw new NodeRouteException("vxlan: local node " + node.name() + ": pod CIDR " + p
                            + " differs from the configured pod CIDR " + localPodCidr);
                });
        Inet4Address nodeIp = RemoteNode.firstIpv4(node.name(), node.addresses());
        VxlanDevice.Ensured device = kernelCall(() -> {
            Address underlay = rtnl.addresses().list(Rtm.AF_INET).stream()
                    .filter(a -> a.prefix().address().equals(nodeIp)).findFirst()
                    .orElseThrow(() -> new NodeRouteException("vxlan: local node " + node.name() + ": its IP "
                            + nodeIp.getHostAddress() + " is on no interface of this network namespace"));
            Link lower = rtnl.links().require(io.trellis.netlink.route.LinkRef.index(underlay.index()));
            return VxlanDevice.ensure(rtnl, new VxlanDevice.Desired(settings.device(), settings.vni(), settings.port(),
                    nodeIp, lower.index(), VtepMac.of(nodeIp), lower.mtu() - encapsulationOverhead(),
                    (Inet4Address) localPodCidr.address()));
        }, "setting up device " + settings.device() + " for local node " + node.name());
        boolean moved = device.created() || device.index() != vxlanIndex;
        this.local = node;
        this.vxlanIndex = device.index();
        if (moved && !installed.isEmpty()) {
            // A new device lost the FDB, ARP entries and routes of the old one: put back what the agent asked for.
            List<RemoteNode> known = installed.values().stream().map(Installed::node).toList();
            converge(known, "re-adding the entries of " + known.size() + " nodes on the new device");
        }
    }

    @Override
    public void replaceAll(Collection<NodeInfo> remotes) {
        requireNonNull(remotes, "remotes");
        requireLocal();
        List<String> problems = new ArrayList<>();
        Map<String, RemoteNode> accepted = new LinkedHashMap<>();
        for (NodeInfo node : remotes) {
            if (node.name().equals(local.name())) {
                continue;
            }
            try {
                RemoteNode.of(node).ifPresent(r -> {
                    checkCidr(r, accepted.values());
                    accepted.put(r.name(), r);
                });
            } catch (NodeRouteException e) {
                problems.add(e.getMessage());
            }
        }
        // The valid nodes converge even when some are not: one bad Node must not cut off all others.
        converge(accepted.values(), "replacing the entries of " + accepted.size() + " remote nodes");
        LOG.info("vxlan: {} remote nodes {}", accepted.size(), accepted.keySet());
        if (!problems.isEmpty()) {
            throw new NodeRouteException("vxlan: nodes not routed: " + String.join("; ", problems));
        }
    }

    @Override
    public void upsertNode(NodeInfo node) {
        requireNonNull(node, "remote");
        requireLocal();
        if (node.name().equals(local.name())) {
            return;
        }
        var remote = RemoteNode.of(node);
        if (remote.isEmpty()) {
            removeNode(node.name()); // no IPv4 pod CIDR (yet, or any more): nothing to route to
            return;
        }
        RemoteNode desired = remote.get();
        checkCidr(desired, installed.values().stream().map(Installed::node)
                .filter(n -> !n.name().equals(desired.name())).toList());
        List<KernelEntry> entries = kernelCall(() -> desired.entries(localView()),
                "reading the interfaces for node " + desired.name());
        Installed previous = installed.remove(desired.name());
        List<KernelEntry> before = previous == null ? List.of() : previous.entries();
        EntryPlan diff = EntryPlan.between(before, entries);
        // Every entry is written again (replace is idempotent), so an upsert also repairs lost entries.
        EntryPlan plan = new EntryPlan(diff.deletions(), EntryPlan.between(List.of(), entries).writes());
        kernelCall(() -> {
            kernel.apply(plan, vxlanIndex);
            return null;
        }, "installing the entries of node " + desired.name());
        installed.put(desired.name(), new Installed(desired, entries));
        LOG.info("vxlan: node {} pods {} via {}", desired.name(), desired.podCidr(),
                entries.size() == 1 ? desired.nodeIp().getHostAddress() + " (direct)"
                        : "VXLAN to " + desired.nodeIp().getHostAddress());
    }

    @Override
    public void removeNode(String nodeName) {
        requireNonNull(nodeName, "nodeName");
        Installed previous = installed.get(nodeName);
        if (previous == null) {
            return;
        }
        kernelCall(() -> {
            kernel.apply(EntryPlan.between(previous.entries(), List.of()), vxlanIndex);
            return null;
        }, "removing the entries of node " + nodeName);
        installed.remove(nodeName);
        LOG.info("vxlan: node {} removed", nodeName);
    }

    /** Closes the netlink socket; the device and entries stay (pods keep their connectivity). */
    @Override
    public void close() {
        rtnl.close();
    }

    // ------------------------------------------------------------------ helpers

    /** Dumps the owned entries and makes them exactly those of {@code remotes}; remembers them. */
    private void converge(Collection<RemoteNode> remotes, String what) {
        Map<String, Installed> next = new LinkedHashMap<>();
        kernelCall(() -> {
            LocalView view = localView();
            List<KernelEntry> desired = new ArrayList<>();
            for (RemoteNode r : remotes) {
                List<KernelEntry> entries = r.entries(view);
                desired.addAll(entries);
                next.put(r.name(), new Installed(r, entries));
            }
            EntryPlan plan = EntryPlan.between(kernel.observe(vxlanIndex), desired);
            kernel.apply(plan, vxlanIndex);
            if (!plan.isEmpty()) {
                LOG.debug("vxlan: {} entries deleted, {} written", plan.deletions().size(), plan.writes().size());
            }
            return null;
        }, what);
        installed.clear();
        installed.putAll(next);
    }

    private LocalView localView() {
        List<LocalView.Connected> connected = new ArrayList<>();
        if (settings.hostGateway()) {
            for (Address a : rtnl.addresses().list(Rtm.AF_INET)) {
                if (a.index() != vxlanIndex && a.prefix().prefixLength() < 32 && a.scope() == Rtm.RT_SCOPE_UNIVERSE) {
                    connected.add(new LocalView.Connected(a.prefix(), a.index()));
                }
            }
        }
        return new LocalView(vxlanIndex, settings.hostGateway(), connected);
    }

    /** Rejects a remote pod CIDR that overlaps this node's or another remote's: their routes would collide. */
    private void checkCidr(RemoteNode remote, Collection<RemoteNode> others) {
        if (Ipv4Prefixes.overlap(remote.podCidr(), localPodCidr)) {
            throw new NodeRouteException("vxlan: node " + remote.name() + ": pod CIDR " + remote.podCidr()
                    + " overlaps this node's pod CIDR " + localPodCidr);
        }
        for (RemoteNode other : others) {
            if (Ipv4Prefixes.overlap(remote.podCidr(), other.podCidr())) {
                throw new NodeRouteException("vxlan: node " + remote.name() + ": pod CIDR " + remote.podCidr()
                        + " overlaps pod CIDR " + other.podCidr() + " of node " + other.name());
            }
        }
    }

    private void requireLocal() {
        if (local == null) {
            throw new NodeRouteException("vxlan: localNode must be called before the remote nodes");
        }
    }

    private static <T> T kernelCall(Supplier<T> call, String what) {
        try {
            return call.get();
        } catch (NodeRouteException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new NodeRouteException("vxlan: " + what + " failed: " + e.getMessage(), e);
        }
    }
}
