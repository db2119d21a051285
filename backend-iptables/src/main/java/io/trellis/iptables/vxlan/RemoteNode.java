package io.trellis.iptables.vxlan;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.route.IpPrefix;
import io.trellis.spi.node.NodeInfo;
import io.trellis.spi.node.NodeRouteException;
import java.net.Inet4Address;
import java.util.List;
import java.util.Optional;

/**
 * Another node as this backend routes to it: its first IPv4 internal IP (the VXLAN destination or
 * the host-gateway next hop) and its first IPv4 pod CIDR, whose network address is its VTEP IP.
 */
record RemoteNode(String name, Inet4Address nodeIp, IpPrefix podCidr) {
    RemoteNode {
        requireNonNull(name, "name");
        requireNonNull(nodeIp, "nodeIp");
        requireNonNull(podCidr, "podCidr");
        if (!(podCidr.address() instanceof Inet4Address) || !podCidr.equals(Ipv4Prefixes.network(podCidr))) {
            throw new IllegalArgumentException("node " + name + ": pod CIDR " + podCidr + " is not an IPv4 network");
        }
    }

    /**
     * The node as this backend sees it; empty while it has no IPv4 pod CIDR (nothing to route to).
     * IPv6 pod CIDRs are not routed: the overlay carries IPv4 only.
     *
     * @throws NodeRouteException when it has an IPv4 pod CIDR but no IPv4 internal IP
     */
    static Optional<RemoteNode> of(NodeInfo node) {
        requireNonNull(node, "node");
        Optional<io.trellis.spi.model.IpPrefix> cidr = node.podCidrs().stream()
                .filter(io.trellis.spi.model.IpPrefix::isIpv4).findFirst();
        if (cidr.isEmpty()) {
            return Optional.empty();
        }
        Inet4Address ip = firstIpv4(node.name(), node.addresses());
        return Optional.of(new RemoteNode(node.name(), ip, new IpPrefix(cidr.get().network(), cidr.get().prefixLength())));
    }

    static Inet4Address firstIpv4(String nodeName, List<? extends java.net.InetAddress> addresses) {
        return addresses.stream().filter(Inet4Address.class::isInstance).map(Inet4Address.class::cast).findFirst()
                .orElseThrow(() -> new NodeRouteException("node " + nodeName + ": no IPv4 internal IP in "
                        + addresses.stream().map(java.net.InetAddress::getHostAddress).toList()
                        + "; the VXLAN overlay runs over IPv4"));
    }

    /** The remote VXLAN device's address: the pod CIDR's network address (10.244.2.0 for 10.244.2.0/24). */
    Inet4Address vtepIp() {
        return (Inet4Address) podCidr.address();
    }

    /**
     * The entries that make this node's pods reachable: a plain route via the node IP when
     * {@code local} reaches it directly in host-gateway mode, else FDB entry, ARP entry and route
     * over the VXLAN device.
     */
    List<KernelEntry> entries(LocalView local) {
        Optional<Integer> direct = local.directInterface(nodeIp);
        if (direct.isPresent()) {
            return List.of(new KernelEntry.PodRoute(podCidr, nodeIp, direct.get(), false));
        }
        var mac = VtepMac.of(nodeIp);
        return List.of(new KernelEntry.Fdb(mac, nodeIp), new KernelEntry.Arp(vtepIp(), mac),
                new KernelEntry.PodRoute(podCidr, vtepIp(), local.vxlanIndex(), true));
    }
}
