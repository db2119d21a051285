package io.trellis.spi.node;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.IpPrefix;
import java.net.InetAddress;
import java.util.List;

/**
 * A Kubernetes Node as the data plane needs it.
 *
 * @param name      the Node's name
 * @param addresses the Node's internal IPs ({@code status.addresses} of type InternalIP), the
 *                  tunnel endpoints or BGP next hops; the first is the preferred one
 * @param podCidrs  the Node's {@code spec.podCIDRs}; empty while the controller has not assigned one
 */
public record NodeInfo(String name, List<InetAddress> addresses, List<IpPrefix> podCidrs) {
    public NodeInfo {
        requireNonNull(name, "name");
        addresses = List.copyOf(requireNonNull(addresses, "addresses"));
        podCidrs = List.copyOf(requireNonNull(podCidrs, "podCidrs"));
        if (name.isEmpty()) {
            throw new IllegalArgumentException("node name must not be empty");
        }
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("node " + name + " has no internal IP");
        }
    }
}
