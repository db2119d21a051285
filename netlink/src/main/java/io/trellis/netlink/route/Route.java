package io.trellis.netlink.route;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A unicast route. {@code destination} is 0.0.0.0/0 or ::/0 for a default route.
 *
 * @param outputIndex RTA_OIF, the output interface
 * @param scope RT_SCOPE_UNIVERSE for gatewayed routes, RT_SCOPE_LINK for on-link (device) routes
 * @param table routing table id (RT_TABLE_MAIN by default)
 * @param protocol who installed it (RTPROT_*)
 * @param type RTN_* route type
 * @param flags rtm_flags, e.g. RTNH_F_ONLINK
 */
public record Route(IpPrefix destination, Optional<InetAddress> gateway, OptionalInt outputIndex, int scope, int table,
        int protocol, int type, int flags, Optional<InetAddress> preferredSource, OptionalInt priority) {
    public Route {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(outputIndex, "outputIndex");
        Objects.requireNonNull(preferredSource, "preferredSource");
        Objects.requireNonNull(priority, "priority");
        gateway.ifPresent(g -> {
            if (IpPrefix.familyOf(g) != destination.family()) {
                throw new IllegalArgumentException("route " + destination + ": gateway " + g.getHostAddress()
                        + " is of another address family");
            }
        });
        preferredSource.ifPresent(s -> {
            if (IpPrefix.familyOf(s) != destination.family()) {
                throw new IllegalArgumentException("route " + destination + ": source " + s.getHostAddress()
                        + " is of another address family");
            }
        });
        if (table < 0) {
            throw new IllegalArgumentException("route " + destination + ": table " + table + " is negative");
        }
        for (int v : new int[] {scope, protocol, type}) {
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("route " + destination + ": scope/protocol/type " + v + " out of range");
            }
        }
    }

    /** "default via GW dev OIF". */
    public static Route defaultVia(InetAddress gateway, int outputIndex) {
        return via(IpPrefix.defaultRoute(IpPrefix.familyOf(gateway)), gateway, outputIndex);
    }

    /** "DST via GW dev OIF". */
    public static Route via(IpPrefix destination, InetAddress gateway, int outputIndex) {
        return new Route(destination, Optional.of(gateway), OptionalInt.of(outputIndex), Rtm.RT_SCOPE_UNIVERSE,
                Rtm.RT_TABLE_MAIN, Rtm.RTPROT_BOOT, Rtm.RTN_UNICAST, 0, Optional.empty(), OptionalInt.empty());
    }

    /** "DST dev OIF scope link": the destination is directly on the link, no gateway. */
    public static Route onLink(IpPrefix destination, int outputIndex) {
        return new Route(destination, Optional.empty(), OptionalInt.of(outputIndex), Rtm.RT_SCOPE_LINK,
                Rtm.RT_TABLE_MAIN, Rtm.RTPROT_BOOT, Rtm.RTN_UNICAST, 0, Optional.empty(), OptionalInt.empty());
    }

    /** Marks the gateway as reachable on the link even if no address prefix covers it ("onlink"). */
    public Route withOnLinkGateway() {
        return new Route(destination, gateway, outputIndex, scope, table, protocol, type, flags | Rtm.RTNH_F_ONLINK,
                preferredSource, priority);
    }

    public Route withTable(int value) {
        return new Route(destination, gateway, outputIndex, scope, value, protocol, type, flags, preferredSource, priority);
    }

    public Route withPriority(int value) {
        return new Route(destination, gateway, outputIndex, scope, table, protocol, type, flags, preferredSource,
                OptionalInt.of(value));
    }

    public Route withPreferredSource(InetAddress value) {
        return new Route(destination, gateway, outputIndex, scope, table, protocol, type, flags, Optional.of(value),
                priority);
    }

    public Route withProtocol(int value) {
        return new Route(destination, gateway, outputIndex, scope, table, value, type, flags, preferredSource, priority);
    }

    public int family() {
        return destination.family();
    }

    public boolean isDefault() {
        return destination.isDefault();
    }

    public String describe() {
        StringBuilder s = new StringBuilder(isDefault() ? "default" : destination.toString());
        gateway.ifPresent(g -> s.append(" via ").append(g.getHostAddress()));
        outputIndex.ifPresent(i -> s.append(" oif ").append(i));
        if (table != Rtm.RT_TABLE_MAIN) {
            s.append(" table ").append(table);
        }
        return s.toString();
    }
}
