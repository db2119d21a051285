package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.ovsdb.InterfaceInfo;
import io.trellis.ovs.ovsdb.OpenVSwitchDatabase;
import io.trellis.ovs.ovsdb.PortSpec;
import io.trellis.ovs.pipeline.Ipv4Subnet;
import io.trellis.ovs.pipeline.NodeNetwork;
import io.trellis.ovs.pipeline.OverlayFlows;
import io.trellis.ovs.pipeline.PipelineInstaller;
import io.trellis.ovs.pipeline.RemoteNode;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.TunnelType;
import io.trellis.spi.node.NodeInfo;
import io.trellis.spi.node.NodeRouteDriver;
import io.trellis.spi.node.NodeRouteException;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The overlay of the {@code ovs} backend: one flow-based tunnel port on the integration bridge
 * (Geneve or VXLAN, {@code remote_ip=flow}, {@code key=flow}, requested ofport {@link #TUNNEL_OFPORT}),
 * and per remote node one L3 flow sending its pod CIDR to the node's IP ({@link OverlayFlows}) plus
 * a host route through the gateway ({@link GatewayHostRoutes}) for the node's own traffic. Each
 * flow change is one OpenFlow bundle, so a node's flows appear, change and disappear atomically.
 *
 * <p>Before the tunnel is used, {@link TunnelUnderlay} makes the node IP a usable tunnel source:
 * in {@code netdev} mode it moves the node IP onto the uplink bridge ({@link NetdevUplink}). Note
 * that ovs-vswitchd accepts only one flow-based port per tunnel type and UDP port across all its
 * netdev bridges.
 *
 * <p>State: the desired tunnel and remote nodes live in the shared {@link PipelineInstaller}, so
 * every full install of the pipeline (agent start, OVS restart, resync) writes the overlay flows in
 * the same bundle and never drops traffic between nodes; {@link #reapplyHostState()} re-creates
 * what an ovs-vswitchd restart removes from the kernel (uplink bridge addresses, gateway routes).
 * The agent calls from one thread (see {@link NodeRouteDriver}); the resync thread only calls
 * {@link #reapplyHostState()}, whose parts are synchronized.
 */
public final class OvsNodeRouteDriver implements NodeRouteDriver {

    private static final Logger LOG = LoggerFactory.getLogger(OvsNodeRouteDriver.class);

    /** Name of the tunnel port and interface on the integration bridge. */
    public static final String TUNNEL_PORT = "trellis-tun0";
    /**
     * The tunnel port's requested OpenFlow port number (the gateway has 1), so flow dumps read the same on
     * every node; when a pod already holds it, the flows use the number OVS assigned.
     */
    public static final int TUNNEL_OFPORT = 2;

    private final OpenVSwitchDatabase db;
    private final PipelineInstaller installer;
    private final String bridge;
    private final TunnelType tunnelType;
    private final TunnelUnderlay underlay;
    private final GatewayHostRoutes hostRoutes;
    private final Supplier<NodeNetwork> localNetwork;
    private final Duration timeout;
    private volatile NodeInfo local;
    private boolean tunnelReady;

    /**
     * @param installer    the pod driver's installer: it records the overlay's desired state so its
     *                     full installs include the overlay flows
     * @param localNetwork the local gateway and pod CIDR as the pod pipeline currently sees them
     *                     (the gateway MAC becomes the source MAC of tunnelled packets)
     */
    public OvsNodeRouteDriver(OpenVSwitchDatabase db, PipelineInstaller installer, String bridge, TunnelType tunnelType,
            TunnelUnderlay underlay, NodeNetlink netlink, Supplier<NodeNetwork> localNetwork, Duration timeout) {
        this.db = requireNonNull(db, "db");
        this.installer = requireNonNull(installer, "installer");
        this.bridge = requireNonNull(bridge, "bridge");
        this.tunnelType = requireNonNull(tunnelType, "tunnelType");
        this.underlay = requireNonNull(underlay, "underlay");
        this.hostRoutes = new GatewayHostRoutes(requireNonNull(netlink, "netlink"), OvsNodeSetup.GATEWAY_PORT);
        this.localNetwork = requireNonNull(localNetwork, "localNetwork");
        this.timeout = requireNonNull(timeout, "timeout");
    }

    @Override
    public int encapsulationOverhead() {
        return tunnelType.ipv4Overhead();
    }

    @Override
    public void localNode(NodeInfo local) {
        requireNonNull(local, "local");
        Optional<Ipv4Subnet> cidr = ipv4Cidr(local);
        Ipv4Subnet bridgeCidr = localNetwork.get().podCidr();
        if (cidr.isPresent() && !cidr.get().equals(bridgeCidr)) {
            throw new NodeRouteException("local node " + local.name() + ": pod CIDR " + cidr.get()
                    + " differs from the bridge's pod CIDR " + bridgeCidr);
        }
        underlay.prepare(local);
        this.local = local;
        ensureTunnel();
    }

    @Override
    public void replaceAll(Collection<NodeInfo> nodes) {
        requireNonNull(nodes, "remotes");
        Map<String, RemoteNode> desired = new LinkedHashMap<>();
        for (NodeInfo node : nodes) {
            if (!node.name().equals(localName())) {
                toRemote(node).ifPresent(r -> desired.put(r.name(), r));
            }
        }
        ensureTunnel();
        send(() -> installer.replaceRemoteNodes(localNetwork.get(), desired.values()),
                "replacing the flows of " + desired.size() + " remote nodes");
        host(() -> hostRoutes.replaceAll(desired.values()), "replacing the gateway routes");
        LOG.info("overlay: {} remote nodes {}", desired.size(), desired.keySet());
    }

    @Override
    public void upsertNode(NodeInfo node) {
        requireNonNull(node, "remote");
        if (node.name().equals(localName())) {
            return;
        }
        Optional<RemoteNode> remote = toRemote(node);
        if (remote.isEmpty()) {
            removeNode(node.name()); // no pod CIDR (yet, or any more): nothing to route to
            return;
        }
        RemoteNode desired = remote.get();
        if (desired.equals(installer.remoteNodes().get(desired.name()))) {
            return;
        }
        ensureTunnel();
        RemoteNode previous = installer.remoteNodes().get(desired.name());
        send(() -> installer.upsertRemoteNode(localNetwork.get(), desired),
                "installing the flows of node " + desired.name());
        if (previous != null && !previous.podCidr().equals(desired.podCidr())) {
            host(() -> hostRoutes.remove(previous), "removing the gateway route of node " + previous.name());
        }
        host(() -> hostRoutes.upsert(desired), "adding the gateway route of node " + desired.name());
        LOG.info("overlay: node {} pods {} via {}", desired.name(), desired.podCidr(),
                desired.nodeIp().getHostAddress());
    }

    @Override
    public void removeNode(String nodeName) {
        requireNonNull(nodeName, "nodeName");
        RemoteNode previous = installer.remoteNodes().get(nodeName);
        if (previous == null) {
            return;
        }
        send(() -> installer.removeRemoteNode(nodeName), "removing the flows of node " + nodeName);
        host(() -> hostRoutes.remove(previous), "removing the gateway route of node " + nodeName);
        LOG.info("overlay: node {} removed", nodeName);
    }

    /** The remote nodes whose flows are desired, by name. */
    public Map<String, RemoteNode> remoteNodes() {
        return installer.remoteNodes();
    }

    /**
     * After ovs-vswitchd restarted (the pod driver's resync has reinstalled every flow): puts the
     * node IP back on the uplink bridge and the routes back on the recreated gateway device.
     */
    public void reapplyHostState() {
        NodeInfo current = local;
        if (current == null) {
            return;
        }
        underlay.prepare(current);
        host(() -> hostRoutes.replaceAll(installer.remoteNodes().values()), "re-adding the gateway routes");
    }

    // ------------------------------------------------------------------ helpers

    private String localName() {
        NodeInfo current = local;
        return current == null ? null : current.name();
    }

    private static void host(Runnable change, String what) {
        try {
            change.run();
        } catch (RuntimeException e) {
            throw new NodeRouteException("overlay: " + what + " failed: " + e.getMessage(), e);
        }
    }

    private void ensureTunnel() {
        if (tunnelReady) {
            return;
        }
        int ofport;
        try {
            ofport = addTunnelPort();
        } catch (NodeRouteException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new NodeRouteException("overlay: setting up the tunnel port " + TUNNEL_PORT + " on " + bridge
                    + " failed: " + e.getMessage(), e);
        }
        send(() -> installer.installTunnel(ofport), "installing the tunnel port's flows");
        tunnelReady = true;
    }

    /** Ensures the tunnel port; its OpenFlow port number. */
    private int addTunnelPort() {
        Optional<InterfaceInfo> existing = Await.result(db.getInterface(TUNNEL_PORT), timeout,
                "looking up the tunnel interface " + TUNNEL_PORT);
        String type = tunnelType.configName();
        if (existing.isPresent() && !existing.get().type().equals(type)) {
            // network.tunnelType changed since the port was made: replace it (traffic between nodes pauses).
            LOG.info("overlay: replacing tunnel port {} of type {} by one of type {}", TUNNEL_PORT,
                    existing.get().type(), type);
            Await.result(db.deletePort(bridge, TUNNEL_PORT), timeout, "deleting the old tunnel port " + TUNNEL_PORT);
            existing = Optional.empty();
        }
        if (existing.isEmpty()) {
            PortSpec spec = tunnelType == TunnelType.VXLAN ? PortSpec.flowBasedVxlan(TUNNEL_PORT)
                    : PortSpec.flowBasedGeneve(TUNNEL_PORT);
            Await.result(db.addPort(bridge, spec.withOfportRequest(TUNNEL_OFPORT)),
                    timeout, "adding the " + type + " port " + TUNNEL_PORT + " to " + bridge);
        }
        long ofport = Await.result(db.awaitOfport(TUNNEL_PORT, timeout), timeout,
                "waiting for the OpenFlow port of " + TUNNEL_PORT);
        if (ofport != TUNNEL_OFPORT) {
            // A pod attached before the overlay was configured holds the number; the flows follow the real one.
            LOG.info("overlay: tunnel port {} has OpenFlow port {} (requested {}, taken)", TUNNEL_PORT, ofport,
                    TUNNEL_OFPORT);
        }
        return (int) ofport;
    }

    /** Sends one change; a flow that cannot be computed (overlapping CIDR) or a failed bundle names the change. */
    private void send(Supplier<CompletableFuture<Void>> change, String what) {
        try {
            Await.result(change.get(), timeout, what);
        } catch (RuntimeException e) {
            throw new NodeRouteException("overlay: " + what + " failed: " + e.getMessage(), e);
        }
    }

    /** The node as the overlay sees it: first IPv4 internal IP, first IPv4 pod CIDR; empty without a CIDR. */
    static Optional<RemoteNode> toRemote(NodeInfo node) {
        Optional<Ipv4Subnet> cidr = ipv4Cidr(node);
        if (cidr.isEmpty()) {
            return Optional.empty();
        }
        Inet4Address ip = node.addresses().stream().filter(Inet4Address.class::isInstance)
                .map(Inet4Address.class::cast).findFirst()
                .orElseThrow(() -> new NodeRouteException("node " + node.name() + ": no IPv4 internal IP in "
                        + node.addresses() + "; the Geneve overlay runs over IPv4"));
        return Optional.of(new RemoteNode(node.name(), ip, cidr.get()));
    }

    private static Optional<Ipv4Subnet> ipv4Cidr(NodeInfo node) {
        return node.podCidrs().stream().filter(IpPrefix::isIpv4).findFirst()
                .map(p -> new Ipv4Subnet((Inet4Address) p.network(), p.prefixLength()));
    }
}
