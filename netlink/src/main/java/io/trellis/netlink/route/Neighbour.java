package io.trellis.netlink.route;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A neighbour-table entry: an ARP/NDP entry (family AF_INET/AF_INET6: IP to MAC on a link) or a forwarding
 * database entry (family AF_BRIDGE: MAC on a bridge port, or on a VXLAN device with the remote VTEP as
 * {@code destination}).
 *
 * @param state NUD_* bits
 * @param flags NTF_* bits
 */
public record Neighbour(int family, int index, int state, int flags, Optional<InetAddress> destination,
        Optional<MacAddress> lladdr, OptionalInt vni, OptionalInt masterIndex) {
    public Neighbour {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(lladdr, "lladdr");
        Objects.requireNonNull(vni, "vni");
        Objects.requireNonNull(masterIndex, "masterIndex");
        if (index <= 0) {
            throw new IllegalArgumentException("neighbour: interface index must be positive, got " + index);
        }
        if (family != Rtm.AF_BRIDGE && destination.isEmpty()) {
            throw new IllegalArgumentException("neighbour of family " + family + " needs an IP destination");
        }
        destination.ifPresent(d -> {
            if (family != Rtm.AF_BRIDGE && IpPrefix.familyOf(d) != family) {
                throw new IllegalArgumentException("neighbour " + d.getHostAddress() + ": not of family " + family);
            }
        });
    }

    /** A permanent ARP (IPv4) or NDP (IPv6) entry: "ip neigh replace IP lladdr MAC dev IF nud permanent". */
    public static Neighbour permanent(int index, InetAddress ip, MacAddress mac) {
        return new Neighbour(IpPrefix.familyOf(ip), index, Nda.NUD_PERMANENT, 0, Optional.of(ip), Optional.of(mac),
                OptionalInt.empty(), OptionalInt.empty());
    }

    /**
     * A VXLAN FDB entry: frames for {@code mac} go to {@code remote}. The all-zero MAC is the flood entry
     * ("bridge fdb append 00:00:00:00:00:00 dev vx0 dst REMOTE").
     */
    public static Neighbour vxlanFdb(int vxlanIndex, MacAddress mac, InetAddress remote) {
        return new Neighbour(Rtm.AF_BRIDGE, vxlanIndex, Nda.NUD_PERMANENT | Nda.NUD_NOARP, Nda.NTF_SELF,
                Optional.of(remote), Optional.of(mac), OptionalInt.empty(), OptionalInt.empty());
    }

    public String describe() {
        return (family == Rtm.AF_BRIDGE ? "fdb " + lladdr.map(MacAddress::toString).orElse("?")
                + destination.map(d -> " dst " + d.getHostAddress()).orElse("")
                : destination.map(InetAddress::getHostAddress).orElse("?")
                + lladdr.map(m -> " lladdr " + m).orElse("")) + " ifindex " + index;
    }
}
