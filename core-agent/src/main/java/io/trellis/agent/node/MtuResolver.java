package io.trellis.agent.node;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.Mtu;
import io.trellis.spi.node.NodeRouteDriver;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves {@code network.mtu}: a fixed value as written; {@code auto} as the uplink's MTU minus
 * the node route driver's encapsulation overhead (0 without one, as with routing backends).
 */
public final class MtuResolver {
    private static final Logger LOG = LoggerFactory.getLogger(MtuResolver.class);

    private final UplinkFinder uplinks;

    public MtuResolver(UplinkFinder uplinks) {
        this.uplinks = requireNonNull(uplinks, "uplinks");
    }

    public PodMtu resolve(Mtu configured, Optional<NodeRouteDriver> nodeRoutes, List<InetAddress> nodeIps) {
        if (configured instanceof Mtu.Fixed fixed) {
            return new PodMtu(fixed.value());
        }
        Uplink uplink = uplinks.find(nodeIps);
        int overhead = nodeRoutes.map(NodeRouteDriver::encapsulationOverhead).orElse(0);
        int value = uplink.mtu() - overhead;
        if (value < Mtu.MIN) {
            throw new IllegalStateException("network.mtu: auto gives " + value + " (uplink " + uplink.name() + " MTU "
                    + uplink.mtu() + " minus " + overhead + " bytes of encapsulation), below the minimum " + Mtu.MIN
                    + "; raise the uplink MTU or set network.mtu");
        }
        LOG.info("pod MTU {}: uplink {} MTU {} minus {} bytes of encapsulation", value, uplink.name(), uplink.mtu(),
                overhead);
        return new PodMtu(value);
    }
}
