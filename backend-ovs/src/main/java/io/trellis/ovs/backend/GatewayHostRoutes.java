package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.route.IpPrefix;
import io.trellis.netlink.route.MacAddress;
import io.trellis.netlink.route.Nda;
import io.trellis.netlink.route.Neighbour;
import io.trellis.netlink.route.Route;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.route.Rtm;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.ovs.pipeline.OverlayFlows;
import io.trellis.ovs.pipeline.RemoteNode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's own way to remote pods: for every remote node, a kernel route
 * {@code <remote pod CIDR> via <remote gateway IP> dev trellis-gw0 onlink proto 116} and a permanent
 * neighbour entry mapping that gateway IP to the overlay's global virtual MAC. The node's packets to
 * a remote pod thus enter the integration bridge through the gateway port addressed to the virtual
 * MAC, with the local gateway IP as source, and the remote-node flow tunnels them; replies come back
 * to the local gateway IP. Without these, node-to-remote-pod traffic (and replies to remote pods
 * talking to this node's gateway) would leave through the uplink unencapsulated.
 *
 * <p>Routes carry their own protocol number ({@link #RTPROT_TRELLIS}), so {@link #replaceAll} finds and
 * removes exactly the ones this class added, also those of an earlier agent run. The gateway device
 * is looked up on every call: ovs-vswitchd recreates it (new index, routes gone) when it restarts.
 */
final class GatewayHostRoutes {

    /** rtm_protocol of the routes this class installs ('t'); not one of the numbers iproute2 names. */
    static final int RTPROT_TRELLIS = 0x74;

    private static final Logger LOG = LoggerFactory.getLogger(GatewayHostRoutes.class);
    private static final MacAddress VIRTUAL_MAC = MacAddress.parse(OverlayFlows.GLOBAL_VIRTUAL_MAC.toString());

    private final NodeNetlink netlink;
    private final String gatewayDevice;

    GatewayHostRoutes(NodeNetlink netlink, String gatewayDevice) {
        this.netlink = requireNonNull(netlink, "netlink");
        this.gatewayDevice = requireNonNull(gatewayDevice, "gatewayDevice");
    }

    /** The route and neighbour towards {@code remote}'s pods (replacing an older one for the same CIDR). */
    synchronized void upsert(RemoteNode remote) {
        RtNetlink rtnl = netlink.node();
        int index = gatewayIndex(rtnl);
        Inet4Address gateway = OvsNodeSetup.gatewayIp(remote.podCidr());
        // The neighbour first: a route without it would send one ARP request into the bridge, which drops it.
        rtnl.neighbours().replace(Neighbour.permanent(index, gateway, VIRTUAL_MAC));
        rtnl.routes().replace(route(remote, index));
    }

    /** Removes the route and neighbour towards {@code remote}'s pods; absent ones are fine. */
    synchronized void remove(RemoteNode remote) {
        RtNetlink rtnl = netlink.node();
        int index = gatewayIndex(rtnl);
        IdempotentNetlink.deleteRoute(rtnl, route(remote, index));
        IdempotentNetlink.deleteNeighbour(rtnl,
                Neighbour.permanent(index, OvsNodeSetup.gatewayIp(remote.podCidr()), VIRTUAL_MAC));
    }

    /** Exactly the routes and neighbours of {@code remotes}: adds what is missing, deletes the rest of ours. */
    synchronized void replaceAll(Collection<RemoteNode> remotes) {
        RtNetlink rtnl = netlink.node();
        int index = gatewayIndex(rtnl);
        Set<IpPrefix> wantedRoutes = new HashSet<>();
        Set<InetAddress> wantedNeighbours = new HashSet<>();
        for (RemoteNode remote : remotes) {
            wantedRoutes.add(prefix(remote));
            wantedNeighbours.add(OvsNodeSetup.gatewayIp(remote.podCidr()));
        }
        int removed = 0;
        for (Route r : rtnl.routes().list(Syscalls.AF_INET, Rtm.RT_TABLE_MAIN)) {
            if (r.protocol() == RTPROT_TRELLIS && !wantedRoutes.contains(r.destination())) {
                IdempotentNetlink.deleteRoute(rtnl, r);
                removed++;
            }
        }
        for (Neighbour n : rtnl.neighbours().list(Syscalls.AF_INET)) {
            if (n.index() == index && (n.state() & Nda.NUD_PERMANENT) != 0 && n.lladdr().equals(Optional.of(VIRTUAL_MAC))
                    && n.destination().map(d -> !wantedNeighbours.contains(d)).orElse(false)) {
                IdempotentNetlink.deleteNeighbour(rtnl, n);
                removed++;
            }
        }
        for (RemoteNode remote : remotes) {
            Inet4Address gateway = OvsNodeSetup.gatewayIp(remote.podCidr());
            rtnl.neighbours().replace(Neighbour.permanent(index, gateway, VIRTUAL_MAC));
            rtnl.routes().replace(route(remote, index));
        }
        LOG.debug("host routes via {}: {} remote pod CIDRs, {} stale entries removed", gatewayDevice, remotes.size(),
                removed);
    }

    private int gatewayIndex(RtNetlink rtnl) {
        return rtnl.links().get(gatewayDevice).orElseThrow(() -> new IllegalStateException("gateway device "
                + gatewayDevice + " does not exist in " + netlink.nodeNamespace().description())).index();
    }

    private static IpPrefix prefix(RemoteNode remote) {
        return new IpPrefix(remote.podCidr().network(), remote.podCidr().prefixLength());
    }

    private static Route route(RemoteNode remote, int gatewayIndex) {
        return Route.via(prefix(remote), OvsNodeSetup.gatewayIp(remote.podCidr()), gatewayIndex).withOnLinkGateway()
                .withProtocol(RTPROT_TRELLIS);
    }
}
