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
 * The Geneve overlay of the {@code ovs} backend: one flow-based Geneve port on the integration
 * bridge ({@code remote_ip=flow}, {@code key=flow}, fixed ofport {@link #TUNNEL_OFPORT}), and per
 * remote node one L3 flow sending its pod CIDR to the node's IP ({@link OverlayFlows}). Each change
 * is one OpenFlow bundle, so a node's flows appear, change and disappear atomically.
 *
 * <p>The tunnel endpoint must be reachable the way OVS's userspace tunnelling wants it: in
 * {@code netdev} mode the node IP lives on an OVS bridge holding the uplink (br-phy), which is not
 * set up here. Note that ovs-vswitchd accepts only one flow-based Geneve port per UDP port across
 * all its netdev bridges.
 *
 * <p>State: the desired tunnel and remote nodes live in the shared {@link PipelineInstaller}, so
 * every full install of the pipeline (agent start, OVS restart, resync) writes the overlay flows in
 * the same bundle and never drops traffic between nodes. The agent calls from one thread (see
 * {@link NodeRouteDriver}).
 */
public final class OvsNodeRouteDriver implements NodeRouteDriver {

    private static final Logger LOG = LoggerFactory.getLogger(OvsNodeRouteDriver.class);

    /** Name of the tunnel port and interface on the integration bridge. */
    public static final String TUNNEL_PORT = "trellis-tun0";
    /** The tunnel port's OpenFlow port number, requested so the flows never depend on the order of creation. */
    public static final int TUNNEL_OFPORT = 2;

    private final OpenVSwitchDatabase db;
    private final PipelineInstaller installer;
    private final String bridge;
    private final Supplier<NodeNetwork> localNetwork;
    private final Duration timeout;
    private String localName;
    private boolean tunnelReady;

    /**
     * @param installer    the pod driver's installer: it records the overlay's desired state so its
     *                     full installs include the overlay flows
     * @param localNetwork the local gateway and pod CIDR as the pod pipeline currently sees them
     *                     (the gateway MAC becomes the source MAC of tunnelled packets)
     */
    public OvsNodeRouteDriver(OpenVSwitchDatabase db, PipelineInstaller installer, String bridge,
            Supplier<NodeNetwork> localNetwork, Duration timeout) {
        this.db = requireNonNull(db, "db");
        this.installer = requireNonNull(installer, "installer");
        this.bridge = requireNonNull(bridge, "bridge");
        this.localNetwork = requireNonNull(localNetwork, "localNetwork");
        this.timeout = requireNonNull(timeout, "timeout");
    }

    @Override
    public int encapsulationOverhead() {
        return TunnelType.GENEVE.ipv4Overhead();
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
        localName = local.name();
        ensureTunnel();
    }

    @Override
    public void replaceAll(Collection<NodeInfo> nodes) {
        requireNonNull(nodes, "remotes");
        Map<String, RemoteNode> desired = new LinkedHashMap<>();
        for (NodeInfo node : nodes) {
            if (!node.name().equals(localName)) {
                toRemote(node).ifPresent(r -> desired.put(r.name(), r));
            }
        }
        ensureTunnel();
        send(() -> installer.replaceRemoteNodes(localNetwork.get(), desired.values()),
                "replacing the flows of " + desired.size() + " remote nodes");
        LOG.info("overlay: {} remote nodes {}", desired.size(), desired.keySet());
    }

    @Override
    public void upsertNode(NodeInfo node) {
        requireNonNull(node, "remote");
        if (node.name().equals(localName)) {
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
        send(() -> installer.upsertRemoteNode(localNetwork.get(), desired),
                "installing the flows of node " + desired.name());
        LOG.info("overlay: node {} pods {} via {}", desired.name(), desired.podCidr(),
                desired.nodeIp().getHostAddress());
    }

    @Override
    public void removeNode(String nodeName) {
        requireNonNull(nodeName, "nodeName");
        if (!installer.remoteNodes().containsKey(nodeName)) {
            return;
        }
        send(() -> installer.removeRemoteNode(nodeName), "removing the flows of node " + nodeName);
        LOG.info("overlay: node {} removed", nodeName);
    }

    /** The remote nodes whose flows are desired, by name. */
    public Map<String, RemoteNode> remoteNodes() {
        return installer.remoteNodes();
    }

    // ------------------------------------------------------------------ helpers

    private void ensureTunnel() {
        if (tunnelReady) {
            return;
        }
        try {
            addTunnelPort();
        } catch (NodeRouteException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new NodeRouteException("overlay: setting up the tunnel port " + TUNNEL_PORT + " on " + bridge
                    + " failed: " + e.getMessage(), e);
        }
        send(() -> installer.installTunnel(TUNNEL_OFPORT), "installing the tunnel port's flows");
        tunnelReady = true;
    }

    private void addTunnelPort() {
        Optional<InterfaceInfo> existing = Await.result(db.getInterface(TUNNEL_PORT), timeout,
                "looking up the tunnel interface " + TUNNEL_PORT);
        if (existing.isEmpty()) {
            Await.result(db.addPort(bridge, PortSpec.flowBasedGeneve(TUNNEL_PORT).withOfportRequest(TUNNEL_OFPORT)),
                    timeout, "adding the Geneve port " + TUNNEL_PORT + " to " + bridge);
        }
        long ofport = Await.result(db.awaitOfport(TUNNEL_PORT, timeout), timeout,
                "waiting for the OpenFlow port of " + TUNNEL_PORT);
        if (ofport != TUNNEL_OFPORT) {
            // Another port holds the number: the flows would send tunnel traffic to it.
            throw new NodeRouteException("tunnel port " + TUNNEL_PORT + " got OpenFlow port " + ofport + ", expected "
                    + TUNNEL_OFPORT + " (ofport_request); is another port using it?");
        }
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
