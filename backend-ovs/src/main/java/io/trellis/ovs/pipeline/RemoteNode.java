package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;

/**
 * Another node of the cluster as the overlay sees it: where its pods live and where to send the
 * tunnelled packets.
 *
 * @param name    the Node's name (for logs and errors)
 * @param nodeIp  the node's underlay IPv4 address, the tunnel destination
 * @param podCidr the node's IPv4 pod CIDR
 */
public record RemoteNode(String name, Inet4Address nodeIp, Ipv4Subnet podCidr) {

    public RemoteNode {
        requireNonNull(name, "name");
        requireNonNull(nodeIp, "nodeIp");
        requireNonNull(podCidr, "podCidr");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("remote node name must not be empty");
        }
    }

    /** Parses the text forms: {@code of("node-2", "10.251.0.2", "10.10.2.0/24")}. */
    public static RemoteNode of(String name, String nodeIp, String podCidr) {
        return new RemoteNode(name, Ipv4Subnet.parseAddress(nodeIp), Ipv4Subnet.parse(podCidr));
    }
}
