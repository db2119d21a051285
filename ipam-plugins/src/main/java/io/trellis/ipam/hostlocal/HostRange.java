package io.trellis.ipam.hostlocal;

import static java.util.Objects.requireNonNull;

import io.trellis.ipam.cidr.Cidr;
import io.trellis.ipam.cidr.IpFamily;
import io.trellis.ipam.cidr.IpLiterals;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The pod addresses of one pod CIDR on a node. The network address and the gateway (the first host address,
 * held by the node's gateway interface) are never handed out, nor the IPv4 broadcast address; IPv6 has no
 * broadcast, so its last address is usable.
 */
public record HostRange(Cidr cidr) {
    private static final BigInteger TWO = BigInteger.TWO;

    public HostRange {
        requireNonNull(cidr, "cidr");
        if (cidr.size().compareTo(BigInteger.valueOf(cidr.family() == IpFamily.IPV4 ? 4 : 3)) < 0) {
            throw new IllegalArgumentException("pod CIDR " + cidr + " has no address left for pods once the network, gateway"
                    + (cidr.family() == IpFamily.IPV4 ? " and broadcast addresses" : " addresses") + " are reserved; use at most /"
                    + (cidr.family() == IpFamily.IPV4 ? 30 : 126));
        }
    }

    public InetAddress gateway() {
        return cidr.addressAt(BigInteger.ONE);
    }

    /** How many addresses pods can get. */
    public BigInteger usableCount() {
        return lastUsableOffset().subtract(TWO).add(BigInteger.ONE);
    }

    /** Whether {@code address} is in the CIDR and is neither the network, the gateway nor the broadcast address. */
    public boolean isUsable(InetAddress address) {
        if (!cidr.contains(address)) {
            return false;
        }
        BigInteger offset = cidr.offsetOf(address);
        return offset.compareTo(TWO) >= 0 && offset.compareTo(lastUsableOffset()) <= 0;
    }

    /**
     * The first usable address after {@code lastReserved} (wrapping around) that {@code taken} does not hold, or
     * empty when every usable address is taken. Starting after the last reservation rather than at the bottom keeps a
     * just-released address out of use for as long as possible, so a late packet for a deleted pod does not reach the
     * next one. Visits at most one address more than are taken.
     */
    public Optional<InetAddress> nextFree(Optional<InetAddress> lastReserved, Predicate<InetAddress> taken) {
        BigInteger first = TWO;
        BigInteger last = lastUsableOffset();
        BigInteger start = lastReserved.filter(this::isUsable).map(a -> cidr.offsetOf(a).add(BigInteger.ONE)).orElse(first);
        BigInteger offset = start.compareTo(last) > 0 ? first : start;
        for (BigInteger visited = BigInteger.ZERO; visited.compareTo(usableCount()) < 0; visited = visited.add(BigInteger.ONE)) {
            InetAddress candidate = cidr.addressAt(offset);
            if (!taken.test(candidate)) {
                return Optional.of(candidate);
            }
            offset = offset.equals(last) ? first : offset.add(BigInteger.ONE);
        }
        return Optional.empty();
    }

    private BigInteger lastUsableOffset() {
        BigInteger lastOffset = cidr.size().subtract(BigInteger.ONE);
        return cidr.family() == IpFamily.IPV4 ? lastOffset.subtract(BigInteger.ONE) : lastOffset;
    }

    @Override
    public String toString() {
        return cidr + " (gateway " + IpLiterals.format(gateway()) + ")";
    }
}
