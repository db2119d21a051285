package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.ovsdb.InterfaceInfo;
import io.trellis.ovs.ovsdb.OpenVSwitchDatabase;
import io.trellis.ovs.ovsdb.PortSpec;
import io.trellis.ovs.pipeline.Ipv4Subnet;
import io.trellis.ovs.pipeline.NodeNetwork;
import io.trellis.ovs.pipeline.OverlayFlows;
import io.trellis.ovs.pipeline.RemoteNode;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.TunnelType;
import io.trellis.spi.node.NodeInfo;
import io.trellis.spi.node.NodeRouteDriver;
import io.trellis.spi.node.NodeRouteException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * <p>State: the last desired remote nodes by name (the agent calls from one thread; see
 * {@link NodeRouteDriver}). The flows are the record on the switch; {@link #reinstall()} puts them
 * back after something replaced every agent flow (OVS restart, pipeline reinstall).
 */
public final class OvsNodeRouteDriver implements NodeRouteDriver {

    private static final Logger LOG = LoggerFactory.getLogger(OvsNodeRouteDriver.class);

    /** Name of the tunnel port and interface on the integration bridge. */
    public static final String TUNNEL_PORT = "trellis-tun0";
    /** The tunnel port's OpenFlow port number, requested so the flows never depend on the order of creation. */
    public static final int TUNNEL_OFPORT = 2;

    private final OpenVSwitchDatabase db;
    private final OpenFlowClient openflow;
    private final OverlayFlows overlay;
    private final String bridge;
    private final NodeNetwork localNetwork;
    private final Duration timeout;
    private final Map<String, RemoteNode> remotes = new LinkedHashMap<>();
    private String localName;
    private boolean tunnelReady;

    /**
     * @param localNetwork the local gateway and pod CIDR as the pod pipeline sees them (the
     *                     gateway MAC becomes the source MAC of tunnelled packets)
     */
    public OvsNodeRouteDriver(OpenVSwitchDatabase db, OpenFlowClient openflow, OverlayFlows overlay, String bridge,
            NodeNetwork localNetwork, Duration timeout) {
        this.db = requireNonNull(db, "db");
        this.openflow = requireNonNull(openflow, "openflow");
        this.overlay = requireNonNull(overlay, "overlay");
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
        if (cidr.isPresent() && !cidr.get().equals(localNetwork.podCidr())) {
            throw new NodeRouteException("local node " + local.name() + ": pod CIDR " + cidr.get()
                    + " differs from the bridge's pod CIDR " + localNetwork.podCidr());
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
        List<FlowMod> bundle = new ArrayList<>();
        bundle.add(overlay.deleteAllRemoteNodes());
        desired.values().forEach(r -> bundle.addAll(flowsOf(r)));
        send(bundle, "replacing the flows of " + desired.size() + " remote nodes");
        remotes.clear();
        remotes.putAll(desired);
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
        if (desired.equals(remotes.get(desired.name()))) {
            return;
        }
        ensureTunnel();
        List<FlowMod> bundle = new ArrayList<>();
        RemoteNode previous = remotes.get(desired.name());
        if (previous != null) {
            bundle.add(overlay.deleteRemoteNode(previous));
        }
        bundle.add(overlay.deleteRemoteNode(desired));
        bundle.addAll(flowsOf(desired));
        send(bundle, "installing the flows of node " + desired.name());
        remotes.put(desired.name(), desired);
        LOG.info("overlay: node {} pods {} via {}", desired.name(), desired.podCidr(),
                desired.nodeIp().getHostAddress());
    }

    @Override
    public void removeNode(String nodeName) {
        requireNonNull(nodeName, "nodeName");
        RemoteNode previous = remotes.get(nodeName);
        if (previous == null) {
            return;
        }
        send(List.of(overlay.deleteRemoteNode(previous)), "removing the flows of node " + nodeName);
        remotes.remove(nodeName);
        LOG.info("overlay: node {} removed", nodeName);
    }

    /** Puts the tunnel and every known remote node's flows back (after all agent flows were replaced). */
    public void reinstall() {
        tunnelReady = false;
        replaceAll(List.copyOf(remotes.values().stream()
                .map(r -> new NodeInfo(r.name(), List.of(r.nodeIp()), List.of(prefixOf(r.podCidr())))).toList()));
    }

    /** The remote nodes whose flows are installed, by name. */
    public Map<String, RemoteNode> remoteNodes() {
        return Map.copyOf(remotes);
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
        List<FlowMod> bundle = new ArrayList<>();
        bundle.add(overlay.deleteTunnel());
        bundle.addAll(overlay.tunnelFlows(TUNNEL_OFPORT));
        send(bundle, "installing the tunnel port's flows");
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

    private List<FlowMod> flowsOf(RemoteNode remote) {
        try {
            return overlay.remoteNodeFlows(localNetwork, remote);
        } catch (IllegalArgumentException e) {
            throw new NodeRouteException(e.getMessage(), e);
        }
    }

    private void send(List<FlowMod> bundle, String what) {
        try {
            Await.result(openflow.bundle(bundle), timeout, what);
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

    private static IpPrefix prefixOf(Ipv4Subnet subnet) {
        return new IpPrefix((InetAddress) subnet.network(), subnet.prefixLength());
    }
}
