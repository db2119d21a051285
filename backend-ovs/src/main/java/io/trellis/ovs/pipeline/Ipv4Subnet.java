package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 network: address with its host bits clear, and prefix length.
 *
 * @param network      the network address (host bits must be zero)
 * @param prefixLength 0..32
 */
public record Ipv4Subnet(Inet4Address network, int prefixLength) {

    public Ipv4Subnet {
        requireNonNull(network, "network");
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length: " + prefixLength + " out of range 0..32");
        }
        int host = toInt(network) & ~mask(prefixLength);
        if (host != 0) {
            throw new IllegalArgumentException("subnet " + network.getHostAddress() + "/" + prefixLength
                    + ": host bits are set (network address would be "
                    + fromInt(toInt(network) & mask(prefixLength)).getHostAddress() + ")");
        }
    }

    /** Parses {@code 10.20.0.0/24}. */
    public static Ipv4Subnet parse(String cidr) {
        requireNonNull(cidr, "cidr");
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("subnet '" + cidr + "': expected ADDRESS/PREFIX, e.g. 10.20.0.0/24");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("subnet '" + cidr + "': prefix length is not a number", e);
        }
        return new Ipv4Subnet(parseAddress(cidr.substring(0, slash)), prefix);
    }

    /** Parses a dotted-quad IPv4 address, never resolving names. */
    public static Inet4Address parseAddress(String text) {
        requireNonNull(text, "address");
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            int v;
            try {
                v = parts[i].isEmpty() || parts[i].length() > 3 ? -1 : Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            b[i] = (byte) v;
        }
        return fromBytes(b);
    }

    public boolean contains(Inet4Address address) {
        return (toInt(requireNonNull(address, "address")) & mask(prefixLength)) == toInt(network);
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }

    private static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    private static int toInt(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static Inet4Address fromInt(int v) {
        return fromBytes(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    private static Inet4Address fromBytes(byte[] b) {
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }
}
