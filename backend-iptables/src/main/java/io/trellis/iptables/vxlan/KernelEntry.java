package io.trellis.iptables.vxlan;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.route.IpPrefix;
import io.trellis.netlink.route.MacAddress;
import io.trellis.netlink.route.Neighbour;
import io.trellis.netlink.route.Route;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * One kernel object the driver owns, as a value: what a remote node needs (desired) or what a dump
 * found (observed), so that converging is a set difference ({@link EntryPlan}).
 *
 * <p>{@link #key()} is what the kernel replaces in place ({@code NLM_F_REPLACE}): an entry whose key
 * is still wanted is overwritten, not deleted first, so a changed route never has a gap.
 */
sealed interface KernelEntry {

    /** The identity under which the kernel keeps one such entry. */
    Object key();

    /** Short text for logs and errors. */
    String describe();

    /**
     * A VXLAN forwarding database entry on the VXLAN device: frames for {@code mac} (a remote VTEP)
     * go in UDP to {@code remote} (the remote node's IP). Its key is itself: a node whose IP changed
     * has another VTEP MAC, so an old entry never needs replacing, only deleting.
     */
    record Fdb(MacAddress mac, Inet4Address remote) implements KernelEntry {
        public Fdb {
            requireNonNull(mac, "mac");
            requireNonNull(remote, "remote");
        }

        @Override
        public Object key() {
            return this;
        }

        Neighbour toNeighbour(int vxlanIndex) {
            return Neighbour.vxlanFdb(vxlanIndex, mac, remote);
        }

        @Override
        public String describe() {
            return "fdb " + mac + " dst " + remote.getHostAddress();
        }
    }

    /** A permanent ARP entry on the VXLAN device: remote VTEP IP to remote VTEP MAC; keyed by the IP. */
    record Arp(Inet4Address vtepIp, MacAddress mac) implements KernelEntry {
        public Arp {
            requireNonNull(vtepIp, "vtepIp");
            requireNonNull(mac, "mac");
        }

        @Override
        public Object key() {
            return vtepIp;
        }

        Neighbour toNeighbour(int vxlanIndex) {
            return Neighbour.permanent(vxlanIndex, vtepIp, mac);
        }

        @Override
        public String describe() {
            return "neigh " + vtepIp.getHostAddress() + " lladdr " + mac;
        }
    }

    /**
     * A route of the main table with this backend's protocol: a remote pod CIDR via the remote VTEP
     * IP on the VXLAN device ({@code onLink}, the VTEP IP is in no local subnet) or via the remote
     * node IP on a directly connected interface (host gateway). Keyed by destination, as the main
     * table keeps one route per destination without a metric.
     */
    record PodRoute(IpPrefix destination, InetAddress gateway, int outputIndex, boolean onLink) implements KernelEntry {
        public PodRoute {
            requireNonNull(destination, "destination");
            requireNonNull(gateway, "gateway");
            if (outputIndex <= 0) {
                throw new IllegalArgumentException("route " + destination + ": output interface index must be positive, got "
                        + outputIndex);
            }
        }

        @Override
        public Object key() {
            return destination;
        }

        Route toRoute() {
            Route route = Route.via(destination, gateway, outputIndex).withProtocol(VxlanNodeRouteDriver.RTPROT_TRELLIS_VXLAN);
            return onLink ? route.withOnLinkGateway() : route;
        }

        @Override
        public String describe() {
            return "route " + destination + " via " + gateway.getHostAddress() + " oif " + outputIndex
                    + (onLink ? " onlink" : "");
        }
    }
}
