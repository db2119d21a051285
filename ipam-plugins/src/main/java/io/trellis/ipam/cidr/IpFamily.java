package io.trellis.ipam.cidr;

import java.net.Inet4Address;
import java.net.InetAddress;

/** An address family; a node has at most one pod CIDR per family (Kubernetes {@code spec.podCIDRs}). */
public enum IpFamily {
    IPV4(32, "IPv4"),
    IPV6(128, "IPv6");

    private final int bits;
    private final String label;

    IpFamily(int bits, String label) {
        this.bits = bits;
        this.label = label;
    }

    /** {@code IPv4} or {@code IPv6}, for messages. */
    @Override
    public String toString() {
        return label;
    }

    /** Address width in bits. */
    public int bits() {
        return bits;
    }

    public static IpFamily of(InetAddress address) {
        return address instanceof Inet4Address ? IPV4 : IPV6;
    }
}
