package io.trellis.agent.k8s;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.IpPrefix;
import java.net.InetAddress;
import java.util.List;

/**
 * What the agent read from its Node object at start.
 *
 * @param name        the Node's name
 * @param podCidrs    {@code spec.podCIDRs} (or the older single {@code spec.podCIDR}); empty while unassigned
 * @param internalIps {@code status.addresses} of type {@code InternalIP}, in the Node's order
 */
public record ObservedNode(String name, List<IpPrefix> podCidrs, List<InetAddress> internalIps) {
    public ObservedNode {
        requireNonNull(name, "name");
        podCidrs = List.copyOf(requireNonNull(podCidrs, "podCidrs"));
        internalIps = List.copyOf(requireNonNull(internalIps, "internalIps"));
    }
}
