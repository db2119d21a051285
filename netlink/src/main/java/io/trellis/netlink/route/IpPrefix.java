package io.trellis.netlink.route;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An IP address with a prefix length, e.g. 10.0.0.2/24 (an interface address) or 10.0.0.0/24 (a route
 * destination). Host bits are kept as given: an interface address needs them.
 */
public record IpPrefix(InetAddress address, int prefixLength) {
    public IpPrefix {
        Objects.requireNonNull(address, "address");
        int max = maxLength(address);
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0.." + max + " for " + address.getHostAddress());
        }
    }

    /** Parses "10.0.0.2/24", "fd00::2/64"; a bare address gets the full length. Literals only, no DNS. */
    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = parseAddress(host);
        if (slash < 0) {
            return new IpPrefix(address, maxLength(address));
        }
        try {
            return new IpPrefix(address, Integer.parseInt(text.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prefix '" + text + "': length is not a number", e);
        }
    }

    /** Parses an IP literal; never resolves names. */
    public static InetAddress parseAddress(String literal) {
        boolean v4 = literal.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = literal.contains(":") && literal.matches("[0-9a-fA-F:.]+");
        if (!v4 && !v6) {
            throw new IllegalArgumentException("not an IP address literal: '" + literal + "'");
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: '" + literal + "'", e);
        }
    }

    public static IpPrefix of(byte[] address, int prefixLength) {
        try {
            return new IpPrefix(InetAddress.getByAddress(address), prefixLength);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address of " + address.length + " bytes, expected 4 or 16", e);
        }
    }

    public static IpPrefix defaultRoute(int family) {
        return of(new byte[family == Rtm.AF_INET ? 4 : 16], 0);
    }

    public int family() {
        return familyOf(address);
    }

    public static int familyOf(InetAddress address) {
        return address instanceof Inet4Address ? Rtm.AF_INET : Rtm.AF_INET6;
    }

    public boolean isDefault() {
        return prefixLength == 0;
    }

    private static int maxLength(InetAddress address) {
        return address instanceof Inet4Address ? 32 : 128;
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength;
    }
}
