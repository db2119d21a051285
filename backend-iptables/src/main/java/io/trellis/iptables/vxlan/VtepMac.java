package io.trellis.iptables.vxlan;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.route.MacAddress;
import java.net.Inet4Address;

/**
 * The MAC address of a node's VXLAN device, computed from the node's internal IPv4 address so that
 * every node knows every other node's VTEP MAC from the Node objects alone (no annotation to publish,
 * no learning): {@code 02:74:a:b:c:d} for node IP {@code a.b.c.d}.
 *
 * <p>The first octet 0x02 is a locally administered unicast address (IEEE 802 U/L bit set, I/G bit
 * clear), so it collides with no vendor MAC; 0x74 ('t', Trellis) tells it apart from other schemes that
 * embed an IPv4 address (Docker's 02:42). Two nodes never share an internal IP, hence never a VTEP MAC.
 */
final class VtepMac {
    static final long PREFIX = 0x0274L;

    private VtepMac() {
    }

    static MacAddress of(Inet4Address nodeIp) {
        requireNonNull(nodeIp, "nodeIp");
        long bits = PREFIX;
        for (byte b : nodeIp.getAddress()) {
            bits = (bits << 8) | Byte.toUnsignedLong(b);
        }
        return new MacAddress(bits);
    }
}
