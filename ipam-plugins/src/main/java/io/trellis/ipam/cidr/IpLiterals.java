package io.trellis.ipam.cidr;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses and prints IP address literals without ever resolving a name: {@link InetAddress#getByName}
 * would do a DNS lookup on anything that is not a literal, which state files and config must never trigger.
 */
public final class IpLiterals {
    private IpLiterals() {
    }

    /**
     * Parses {@code 10.244.1.5} (four decimal octets, no leading zeros) or an IPv6 literal without zone.
     *
     * @throws IllegalArgumentException naming the text when it is not such a literal
     */
    public static InetAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("IP address must not be empty");
        }
        return text.indexOf(':') >= 0 ? parseV6(text) : parseV4(text);
    }

    private static InetAddress parseV4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (expected four dotted octets)");
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (part.length() > 1 && part.charAt(0) == '0')) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (octet '" + part + "')");
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (octet " + value + " > 255)");
            }
            bytes[i] = (byte) value;
        }
        return fromBytes(bytes);
    }

    private static InetAddress parseV6(String text) {
        // Only hex digits, colons and dots (embedded IPv4) reach the JDK parser: with a colon present and no
        // other characters, InetAddress treats the text as an IPv6 literal and never resolves it.
        boolean literalChars = text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        if (!literalChars) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
        }
        try {
            // Re-wrap: the JDK returns an Inet4Address for IPv4-mapped literals (::ffff:a.b.c.d).
            return fromBytes16(InetAddress.getByName(text).getAddress(), text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv6 address", e);
        }
    }

    private static InetAddress fromBytes16(byte[] bytes, String text) {
        if (bytes.length == 16) {
            return fromBytes(bytes);
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(bytes, 0, mapped, 12, 4);
        return fromBytes(mapped);
    }

    /** An address of the family given by the array length (4 or 16); 16 bytes always give an {@link Inet6Address}. */
    public static InetAddress fromBytes(byte[] bytes) {
        try {
            if (bytes.length == 16) {
                return Inet6Address.getByAddress(null, bytes, -1);
            }
            if (bytes.length == 4) {
                return InetAddress.getByAddress(bytes);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address of " + bytes.length + " bytes", e);
        }
        throw new IllegalArgumentException("an IP address has 4 or 16 bytes, got " + bytes.length);
    }

    /** {@code 10.244.1.5}, or the RFC 5952 form of an IPv6 address ({@code fd00::5}: lower case, longest zero run as ::). */
    public static String format(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return address.getHostAddress();
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        // RFC 5952 section 4.2: shorten the longest run of two or more zero groups (the first one on a tie).
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
