package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One direction of a conntrack entry as {@link CtFlush} matches it; every part is optional and an
 * absent part matches anything (OVS 3.1+ flushes by partial tuple). ICMP id/type/code are not
 * modelled: a decoded flush keeps them among its {@link CtFlush#otherProperties()}.
 *
 * @param src     source address (IPv4 or IPv6)
 * @param dst     destination address
 * @param srcPort source port, 1..65535
 * @param dstPort destination port, 1..65535
 */
public record CtTuple(Optional<InetAddress> src, Optional<InetAddress> dst, OptionalInt srcPort, OptionalInt dstPort) {

    /** Matches every entry. */
    public static final CtTuple ANY = new CtTuple(Optional.empty(), Optional.empty(), OptionalInt.empty(),
            OptionalInt.empty());

    public CtTuple {
        requireNonNull(src, "src");
        requireNonNull(dst, "dst");
        requireNonNull(srcPort, "srcPort");
        requireNonNull(dstPort, "dstPort");
        // Port 0 is the wire's "absent": it cannot be asked for.
        checkPort("srcPort", srcPort);
        checkPort("dstPort", dstPort);
    }

    /** Entries whose tuple in this direction goes from {@code src}:{@code srcPort}. */
    public static CtTuple from(InetAddress src, int srcPort) {
        return new CtTuple(Optional.of(src), Optional.empty(), OptionalInt.of(srcPort), OptionalInt.empty());
    }

    /** Entries whose tuple in this direction goes to {@code dst}:{@code dstPort}. */
    public static CtTuple to(InetAddress dst, int dstPort) {
        return new CtTuple(Optional.empty(), Optional.of(dst), OptionalInt.empty(), OptionalInt.of(dstPort));
    }

    public boolean isAny() {
        return src.isEmpty() && dst.isEmpty() && srcPort.isEmpty() && dstPort.isEmpty();
    }

    private static void checkPort(String name, OptionalInt port) {
        if (port.isPresent() && (port.getAsInt() < 1 || port.getAsInt() > 0xffff)) {
            throw new IllegalArgumentException("conntrack tuple " + name + ": " + port.getAsInt()
                    + " out of range 1..65535");
        }
    }
}
