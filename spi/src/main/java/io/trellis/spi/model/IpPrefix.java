package io.trellis.spi.model;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IP network in CIDR notation ({@code 10.244.1.0/24}): a pod CIDR, a policy IP block. The
 * address has no bits set beyond the prefix, so that two equal networks are equal records.
 */
public record IpPrefix(InetAddress network, int prefixLength) {
    public IpPrefix {
        requireNonNull(network, "network");
        byte[] bytes = network.getAddress();
        int max = bytes.length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length of " + network.getHostAddress() + " must be 0.." + max
                    + ", got " + prefixLength);
        }
        byte[] masked = mask(bytes, prefixLength);
        if (!java.util.Arrays.equals(bytes, masked)) {
            throw new IllegalArgumentException(network.getHostAddress() + "/" + prefixLength
                    + " has host bits set (the network is " + toAddress(masked).getHostAddress() + "/" + prefixLength + ")");
        }
    }

    /**
     * Parses {@code address/length} with a numeric address (no name lookup); throws
     * {@link IllegalArgumentException} quoting the text when it is not one.
     */
    public static IpPrefix parse(String cidr) {
        requireNonNull(cidr, "cidr");
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + cidr + "' is not a CIDR (address/length)");
        }
        InetAddress address = parseNumericAddress(cidr.substring(0, slash), cidr);
        int length;
        try {
            length = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + cidr + "' has no numeric prefix length");
        }
        return new IpPrefix(address, length);
    }

    /** Whether {@code address} is of this prefix's family and inside it. */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == network.getAddress().length
                && java.util.Arrays.equals(mask(bytes, prefixLength), network.getAddress());
    }

    public boolean isIpv4() {
        return network instanceof Inet4Address;
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }

    /**
     * A numeric IPv4 or IPv6 address; {@link InetAddress#getByName} would do a DNS lookup for
     * anything else, so the characters are checked first.
     */
    static InetAddress parseNumericAddress(String text, String whole) {
        boolean numeric = !text.isEmpty()
                && text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')
                && (text.indexOf(':') >= 0 || text.chars().allMatch(c -> Character.isDigit(c) || c == '.'));
        if (!numeric) {
            throw new IllegalArgumentException("'" + whole + "' does not start with a numeric IP address");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + whole + "' does not start with a valid IP address");
        }
    }

    private static byte[] mask(byte[] bytes, int prefixLength) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bitsKept = Math.max(0, Math.min(8, prefixLength - i * 8));
            out[i] = (byte) (out[i] & (0xff00 >> bitsKept));
        }
        return out;
    }

    private static InetAddress toAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }
}
