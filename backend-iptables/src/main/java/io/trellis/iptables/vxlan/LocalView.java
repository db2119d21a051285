package io.trellis.iptables.vxlan;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.route.IpPrefix;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * What this node offers to reach others at one moment: its VXLAN device and, in host-gateway
 * mode, the IPv4 subnets directly connected to it.
 *
 * @param vxlanIndex  the VXLAN device's interface index
 * @param hostGateway whether directly reachable nodes get plain routes
 * @param connected   the node's IPv4 subnets (interface address prefixes) and their interfaces
 */
record LocalView(int vxlanIndex, boolean hostGateway, List<Connected> connected) {
    LocalView {
        requireNonNull(connected, "connected");
        connected = List.copyOf(connected);
        if (vxlanIndex <= 0) {
            throw new IllegalArgumentException("VXLAN device index must be positive, got " + vxlanIndex);
        }
    }

    /** One connected subnet: an interface address with its prefix, on interface {@code index}. */
    record Connected(IpPrefix subnet, int index) {
        Connected {
            requireNonNull(subnet, "subnet");
        }
    }

    /**
     * The interface through which {@code nodeIp} is directly reachable (the first connected subnet
     * holding it), when host-gateway mode is on; empty otherwise.
     */
    Optional<Integer> directInterface(InetAddress nodeIp) {
        if (!hostGateway) {
            return Optional.empty();
        }
        return connected.stream().filter(c -> Ipv4Prefixes.contains(c.subnet(), nodeIp)).map(Connected::index)
                .findFirst();
    }
}
