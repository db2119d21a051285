package io.trellis.agent.config;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.Mtu;
import io.trellis.spi.model.TunnelType;

/**
 * Node-wide network settings ({@code network:}).
 *
 * @param mtu        the pod MTU: auto (uplink minus encapsulation overhead) or fixed
 * @param podCidr    where the pod address ranges come from
 * @param tunnelType the overlay encapsulation for overlay backends
 */
public record NetworkConfig(Mtu mtu, PodCidrSource podCidr, TunnelType tunnelType) {
    public NetworkConfig {
        requireNonNull(mtu, "mtu");
        requireNonNull(podCidr, "podCidr");
        requireNonNull(tunnelType, "tunnelType");
    }
}
