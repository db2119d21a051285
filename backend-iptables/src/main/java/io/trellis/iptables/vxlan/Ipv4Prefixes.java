package io.trellis.iptables.vxlan;

import io.trellis.netlink.route.IpPrefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** IPv4 prefix arithmetic on netlink's {@link IpPrefix} (which keeps host bits, as interface addresses need). */
final class Ipv4Prefixes {
    private Ipv4Prefixes() {
    }

    /** Whether {@code address} is an IPv4 address inside {@code prefix} (host bits of the prefix ignored). */
    static boolean contains(IpPrefix prefix, InetAddress address) {
        if (!(prefix.address() instanceof Inet4Address) || !(address instanceof Inet4Address)) {
            return false;
        }
        int mask = mask(prefix.prefixLength());
        return (bits(prefix.address()) & mask) == (bits(address) & mask);
    }

    /** Whether two IPv4 prefixes share any address. */
    static boolean overlap(IpPrefix a, IpPrefix b) {
        return contains(a, b.address()) || contains(b, a.address());
    }

    /** The prefix with its host bits cleared: 10.0.0.7/24 becomes 10.0.0.0/24. */
    static IpPrefix network(IpPrefix prefix) {
        int value = bits(prefix.address()) & mask(prefix.prefixLength());
        return new IpPrefix(address(value), prefix.prefixLength());
    }

    static Inet4Address address(int value) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {
                (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }

    private static int bits(InetAddress address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }
}
