package io.trellis.cni.model;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One {@code routes} entry, version-neutral: destination and optional next hop, plus the route
 * attributes CNI 1.1.0 added (dropped when rendering an older version's result).
 */
public record CniRoute(InetAddress destination, int prefixLength, Optional<InetAddress> gateway, OptionalInt mtu,
                       OptionalInt advmss, OptionalInt priority, OptionalInt table, OptionalInt scope) {
    public CniRoute {
        requireNonNull(destination, "destination");
        requireNonNull(gateway, "gateway");
        requireNonNull(mtu, "mtu");
        requireNonNull(advmss, "advmss");
        requireNonNull(priority, "priority");
        requireNonNull(table, "table");
        requireNonNull(scope, "scope");
        int max = destination.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("route to " + destination.getHostAddress() + ": prefix length must be 0.."
                    + max + ", got " + prefixLength);
        }
        gateway.ifPresent(gw -> {
            if (gw.getAddress().length != destination.getAddress().length) {
                throw new IllegalArgumentException("route to " + destination.getHostAddress() + "/" + prefixLength
                        + ": gateway " + gw.getHostAddress() + " is of another address family");
            }
        });
    }

    public static CniRoute to(InetAddress destination, int prefixLength) {
        return new CniRoute(destination, prefixLength, Optional.empty(), OptionalInt.empty(), OptionalInt.empty(),
                OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());
    }

    public CniRoute via(InetAddress nextHop) {
        return new CniRoute(destination, prefixLength, Optional.of(nextHop), mtu, advmss, priority, table, scope);
    }

    /** {@code 0.0.0.0/0}. */
    public String destinationCidr() {
        return IpLiteral.formatCidr(destination, prefixLength);
    }
}
