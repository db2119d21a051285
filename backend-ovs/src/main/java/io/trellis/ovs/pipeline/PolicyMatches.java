package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Pure decompositions of NetworkPolicy ranges into what OpenFlow can match: an IPv4 block minus
 * its exceptions into disjoint prefixes (a flow matches one masked address, and OVS has no
 * negative match), a port range into value/mask pairs (a flow matches one masked port).
 */
public final class PolicyMatches {

    private PolicyMatches() {
    }

    /** A port value and mask ({@code tcp_dst=0x50/0xfff0}); mask 0xffff is one port. */
    public record MaskedPort(int port, int mask) {
        public MaskedPort {
            if (port < 0 || port > 0xffff || mask < 0 || mask > 0xffff || (port & ~mask) != 0) {
                throw new IllegalArgumentException("masked port " + port + "/0x" + Integer.toHexString(mask)
                        + ": port and mask must be 16 bits, without bits outside the mask");
            }
        }

        /** The first and last port this value/mask covers (the mask bits are a prefix). */
        public int first() {
            return port;
        }

        public int last() {
            return port | (~mask & 0xffff);
        }
    }

    /**
     * {@code cidr} minus every prefix in {@code except}, as disjoint prefixes (sorted by address,
     * then length): for each exception inside a prefix, the prefix is replaced by the siblings along
     * the path from it down to the exception, so n exceptions cost at most n x 32 prefixes.
     */
    public static List<Ipv4Subnet> minus(Ipv4Subnet cidr, Collection<Ipv4Subnet> except) {
        requireNonNull(cidr, "cidr");
        List<Ipv4Subnet> current = new ArrayList<>(List.of(cidr));
        for (Ipv4Subnet e : requireNonNull(except, "except")) {
            List<Ipv4Subnet> next = new ArrayList<>();
            for (Ipv4Subnet p : current) {
                if (covers(e, p)) {
                    continue; // p lies wholly inside the exception
                }
                if (!covers(p, e)) {
                    next.add(p); // disjoint
                    continue;
                }
                int eBits = toInt(e.network());
                for (int len = p.prefixLength() + 1; len <= e.prefixLength(); len++) {
                    // The half at this length that does not hold the exception.
                    int sibling = (eBits ^ (1 << (32 - len))) & mask(len);
                    next.add(new Ipv4Subnet(fromInt(sibling), len));
                }
            }
            current = next;
        }
        current.sort((a, b) -> {
            int c = Integer.compareUnsigned(toInt(a.network()), toInt(b.network()));
            return c != 0 ? c : Integer.compare(a.prefixLength(), b.prefixLength());
        });
        return List.copyOf(current);
    }

    /**
     * The ports {@code first..last} (1..65535, first &lt;= last) as the fewest aligned value/mask
     * pairs: each pair is the largest power-of-two block that starts at the next uncovered port and
     * stays in the range, so a range costs at most 2 x 16 flows.
     */
    public static List<MaskedPort> portRange(int first, int last) {
        if (first < 0 || last > 0xffff || first > last) {
            throw new IllegalArgumentException("port range " + first + ".." + last + ": expected 0 <= first <= last <= 65535");
        }
        List<MaskedPort> out = new ArrayList<>();
        int port = first;
        while (port <= last) {
            int size = 1;
            // Grow while the block stays aligned at port and inside the range.
            while (size < 0x10000 && (port & (size * 2 - 1)) == 0 && port + size * 2 - 1 <= last) {
                size *= 2;
            }
            out.add(new MaskedPort(port, ~(size - 1) & 0xffff));
            port += size;
        }
        return List.copyOf(out);
    }

    /** Whether {@code outer} contains all of {@code inner}. */
    static boolean covers(Ipv4Subnet outer, Ipv4Subnet inner) {
        return outer.prefixLength() <= inner.prefixLength() && outer.contains(inner.network());
    }

    private static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    static int toInt(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static Inet4Address fromInt(int v) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16),
                (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }
}
