package io.trellis.iptables.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.policy.IpBlock;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The IPv4 addresses a rule's peers allow, as {@code hash:net} entries.
 *
 * <p>Why not {@code nomatch} entries for {@code except}: a hash:net lookup decides by the most
 * specific stored prefix, so in a set holding several blocks an exception of one block would also
 * carve the address out of another block that covers it (10.0.0.0/8 except 10.1.0.0/16, plus
 * 10.0.0.0/12: 10.1.2.3 must match through the second block). Each block minus its exceptions is
 * turned into plain disjoint prefixes instead; the union of the blocks is then just the union of
 * the entries. hash:net cannot store /0, so it becomes two /1 entries.
 *
 * <p>IPv6 blocks are left out: the enforcer programs iptables (IPv4) only.
 */
final class PeerPrefixes {

    private PeerPrefixes() {
    }

    /** The entries of {@code blocks}, sorted by address then length, without duplicates. */
    static List<IpPrefix> of(Collection<IpBlock> blocks) {
        requireNonNull(blocks, "blocks");
        TreeSet<IpPrefix> out = new TreeSet<>(PeerPrefixes::compare);
        for (IpBlock block : blocks) {
            if (!block.cidr().isIpv4()) {
                continue;
            }
            for (IpPrefix p : minus(block.cidr(), block.except())) {
                if (p.prefixLength() == 0) {
                    out.add(prefix(0, 1));
                    out.add(prefix(0x8000_0000, 1));
                } else {
                    out.add(p);
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * {@code cidr} minus every prefix of {@code except} as disjoint prefixes: an exception inside a
     * prefix replaces it by the sibling halves along the path down to the exception (at most 32 per
     * exception).
     */
    static List<IpPrefix> minus(IpPrefix cidr, Collection<IpPrefix> except) {
        List<IpPrefix> current = new ArrayList<>(List.of(cidr));
        for (IpPrefix e : except) {
            List<IpPrefix> next = new ArrayList<>();
            for (IpPrefix p : current) {
                if (covers(e, p)) {
                    continue;
                }
                if (!covers(p, e)) {
                    next.add(p);
                    continue;
                }
                int bits = toInt(e.network());
                for (int len = p.prefixLength() + 1; len <= e.prefixLength(); len++) {
                    next.add(prefix((bits ^ (1 << (32 - len))) & mask(len), len));
                }
            }
            current = next;
        }
        return current;
    }

    static int compare(IpPrefix a, IpPrefix b) {
        int c = Integer.compareUnsigned(toInt(a.network()), toInt(b.network()));
        return c != 0 ? c : Integer.compare(a.prefixLength(), b.prefixLength());
    }

    private static boolean covers(IpPrefix outer, IpPrefix inner) {
        return outer.isIpv4() == inner.isIpv4() && outer.prefixLength() <= inner.prefixLength()
                && outer.contains(inner.network());
    }

    private static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    static int toInt(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static IpPrefix prefix(int bits, int length) {
        try {
            return new IpPrefix(Inet4Address.getByAddress(new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16),
                (byte) (bits >>> 8), (byte) bits}), length);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }
}
