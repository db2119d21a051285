package io.trellis.spi.model;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.Optional;

/**
 * A route inside a pod, as CNI results carry it ({@code {"dst": "0.0.0.0/0", "gw": "10.244.1.1"}}).
 * Without a gateway the destination is on-link.
 */
public record Route(IpPrefix destination, Optional<InetAddress> gateway) {
    public Route {
        requireNonNull(destination, "destination");
        requireNonNull(gateway, "gateway");
        gateway.ifPresent(gw -> {
            if (gw.getAddress().length != destination.network().getAddress().length) {
                throw new IllegalArgumentException("gateway " + gw.getHostAddress() + " of route to " + destination
                        + " is of another IP family");
            }
        });
    }

    @Override
    public String toString() {
        return destination + gateway.map(gw -> " via " + gw.getHostAddress()).orElse("");
    }
}
