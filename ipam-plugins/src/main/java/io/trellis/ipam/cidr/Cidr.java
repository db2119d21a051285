package io.trellis.ipam.cidr;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.net.InetAddress;

/**
 * An IP network, {@code 10.244.1.0/24} or {@code fd00:10:244:1::/64}. Host bits of {@code network} must be zero.
 * Addresses inside are reached by their offset from the network address, so the same arithmetic serves both families.
 */
public record Cidr(InetAddress network, int prefixLength) {
    public Cidr {
        requireNonNull(network, "network");
        int bits = IpFamily.of(network).bits();
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length of " + IpLiterals.format(network) + " must be 0.." + bits
                    + ", got " + prefixLength);
        }
        BigInteger value = new BigInteger(1, network.getAddress());
        BigInteger masked = value.shiftRight(bits - prefixLength).shiftLeft(bits - prefixLength);
        if (!masked.equals(value)) {
            throw new IllegalArgumentException(IpLiterals.format(network) + "/" + prefixLength
                    + " has host bits set; the network is " + IpLiterals.format(toAddress(masked, bits)) + "/" + prefixLength);
        }
    }

    /**
     * Parses {@code ADDRESS/PREFIX}.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static Cidr parse(String text) {
        requireNonNull(text, "text");
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR (expected ADDRESS/PREFIX, e.g. 10.244.1.0/24)");
        }
        String prefix = text.substring(slash + 1);
        if (prefix.isEmpty() || prefix.length() > 3 || !prefix.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR (prefix length '" + prefix + "')");
        }
        InetAddress address;
        try {
            address = IpLiterals.parse(text.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR: " + e.getMessage(), e);
        }
        return new Cidr(address, Integer.parseInt(prefix));
    }

    public IpFamily family() {
        return IpFamily.of(network);
    }

    /** Number of addresses, network and broadcast included (2^(bits - prefix)). */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(family().bits() - prefixLength);
    }

    public boolean contains(InetAddress address) {
        if (IpFamily.of(address) != family()) {
            return false;
        }
        int hostBits = family().bits() - prefixLength;
        return new BigInteger(1, address.getAddress()).shiftRight(hostBits)
                .equals(new BigInteger(1, network.getAddress()).shiftRight(hostBits));
    }

    /** The address {@code offset} after the network address; {@code 0 <= offset < size()}. */
    public InetAddress addressAt(BigInteger offset) {
        if (offset.signum() < 0 || offset.compareTo(size()) >= 0) {
            throw new IllegalArgumentException("offset " + offset + " is outside " + this + " (size " + size() + ")");
        }
        return toAddress(new BigInteger(1, network.getAddress()).add(offset), family().bits());
    }

    /** The offset of an address of this network from the network address. */
    public BigInteger offsetOf(InetAddress address) {
        if (!contains(address)) {
            throw new IllegalArgumentException(IpLiterals.format(address) + " is not in " + this);
        }
        return new BigInteger(1, address.getAddress()).subtract(new BigInteger(1, network.getAddress()));
    }

    /** Whether the two networks share at least one address. */
    public boolean overlaps(Cidr other) {
        return family() == other.family() && (contains(other.network) || other.contains(network));
    }

    private static InetAddress toAddress(BigInteger value, int bits) {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[bits / 8];
        // toByteArray is big-endian, minimal, and may carry a leading sign byte: right-align into the fixed width.
        int copy = Math.min(raw.length, bytes.length);
        System.arraycopy(raw, raw.length - copy, bytes, bytes.length - copy, copy);
        return IpLiterals.fromBytes(bytes);
    }

    @Override
    public String toString() {
        return IpLiterals.format(network) + "/" + prefixLength;
    }
}
