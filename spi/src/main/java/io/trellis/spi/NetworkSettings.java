package io.trellis.spi;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.Mtu;
import io.trellis.spi.model.TunnelType;
import java.util.List;

/**
 * Node-wide network facts from the agent configuration and the Node object, the same for every
 * backend.
 *
 * @param podCidrs   the address ranges of this node's pods (one per IP family), resolved before the
 *                   factories run: from the Node's {@code spec.podCIDRs} (immutable once set) or
 *                   fixed in the configuration
 * @param mtu        the pod MTU policy; with {@link Mtu.Auto} the agent takes the uplink MTU minus
 *                   the node route driver's
 *                   {@link io.trellis.spi.node.NodeRouteDriver#encapsulationOverhead()}, and pod
 *                   interface drivers receive the result in each request
 * @param tunnelType the encapsulation an overlay backend uses; routing backends ignore it
 */
public record NetworkSettings(List<IpPrefix> podCidrs, Mtu mtu, TunnelType tunnelType) {
    public NetworkSettings {
        podCidrs = List.copyOf(requireNonNull(podCidrs, "podCidrs"));
        requireNonNull(mtu, "mtu");
        requireNonNull(tunnelType, "tunnelType");
        if (podCidrs.isEmpty()) {
            throw new IllegalArgumentException("a node needs at least one pod CIDR");
        }
        if (podCidrs.size() > 2 || podCidrs.stream().map(IpPrefix::isIpv4).distinct().count() != podCidrs.size()) {
            throw new IllegalArgumentException("pod CIDRs must be at most one per IP family, got " + podCidrs);
        }
    }
}
