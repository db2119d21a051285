package io.trellis.cni.model;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses IP address literals without ever touching DNS: {@link InetAddress#getByName} would try
 * a name lookup for anything that is not a valid literal (say {@code 10.0.0.300}), so every
 * string is checked here first.
 */
public final class IpLiteral {
    private IpLiteral() {
    }

    /** Parses a dotted-quad IPv4 or an IPv6 literal; throws IllegalArgumentException naming the text. */
    public static InetAddress parse(String text) {
        if (text.indexOf(':') >= 0) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                boolean ok = c == ':' || c == '.' || Character.digit(c, 16) >= 0;
                if (!ok) {
                    throw new IllegalArgumentException("'" + text + "' is not an IP address");
                }
            }
            try {
                // A string containing ':' is only ever parsed as an IPv6 literal, never resolved.
                InetAddress a = InetAddress.getByName(text);
                if (!(a instanceof Inet6Address) && !text.contains(".")) {
                    throw new IllegalArgumentException("'" + text + "' is not an IP address");
                }
                return a;
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + text + "' is not an IP address");
            }
        }
        byte[] b = new byte[4];
        int part = 0;
        int value = -1;
        int digits = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                if (digits > 0 && value == 0) {
                    throw new IllegalArgumentException("'" + text + "' is not an IP address (leading zero)");
                }
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                digits++;
                if (value > 255) {
                    throw new IllegalArgumentException("'" + text + "' is not an IP address (octet above 255)");
                }
            } else if (c == '.' && digits > 0 && part < 4) {
                b[part++] = (byte) value;
                value = -1;
                digits = 0;
            } else {
                throw new IllegalArgumentException("'" + text + "' is not an IP address");
            }
        }
        if (part != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Parses {@code ADDRESS/PREFIX}; returns the address and checks the prefix fits its family. */
    public static Cidr parseCidr(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' is not in CIDR notation (ADDRESS/PREFIX)");
        }
        InetAddress address = parse(text.substring(0, slash));
        String p = text.substring(slash + 1);
        int prefix;
        try {
            prefix = Integer.parseInt(p);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no numeric prefix length");
        }
        int max = address.getAddress().length * 8;
        if (p.startsWith("+") || p.startsWith("-") || prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("'" + text + "': prefix length must be 0.." + max);
        }
        return new Cidr(address, prefix);
    }

    /** An address with a prefix length, as written in CNI results. */
    public record Cidr(InetAddress address, int prefixLength) {
    }

    /** The address in its canonical text form: dotted quad, or RFC 5952 IPv6 ({@code fd00:10::5}). */
    public static String format(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return a.getHostAddress();
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        // RFC 5952 section 4.2: compress the longest run of two or more zero groups, the first one on a tie.
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    /** {@code ADDRESS/PREFIX} in canonical form. */
    public static String formatCidr(InetAddress a, int prefixLength) {
        return format(a) + "/" + prefixLength;
    }

    /** 4 or 6. */
    public static int family(InetAddress a) {
        return a.getAddress().length == 4 ? 4 : 6;
    }
}
