package io.trellis.spi.model;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.Optional;

/**
 * An interface address with its prefix length and the gateway of its subnet, as CNI results
 * carry it ({@code "address": "10.10.1.5/24", "gateway": "10.10.1.1"}).
 */
public record IpAddress(InetAddress address, int prefixLength, Optional<InetAddress> gateway) {
    public IpAddress {
        requireNonNull(address, "address");
        requireNonNull(gateway, "gateway");
        int max = address.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length of " + address.getHostAddress() + " must be 0.." + max
                    + ", got " + prefixLength);
        }
        gateway.ifPresent(gw -> {
            if (gw.getAddress().length != address.getAddress().length) {
                throw new IllegalArgumentException("gateway " + gw.getHostAddress() + " is not of the family of "
                        + address.getHostAddress());
            }
        });
    }

    /** {@code 10.10.1.5/24}. */
    public String cidr() {
        return address.getHostAddress() + "/" + prefixLength;
    }
}
