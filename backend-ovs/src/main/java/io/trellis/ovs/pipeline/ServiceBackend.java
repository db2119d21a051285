package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;

/**
 * One endpoint a Service frontend's new connections may be DNATed to.
 *
 * @param ip   the endpoint's IPv4 address
 * @param port the port it serves the frontend on (the resolved targetPort), 1..65535
 */
public record ServiceBackend(Inet4Address ip, int port) implements Comparable<ServiceBackend> {

    public ServiceBackend {
        requireNonNull(ip, "ip");
        if (port < 1 || port > 0xffff) {
            throw new IllegalArgumentException("service backend " + ip.getHostAddress() + ": port " + port
                    + " out of range 1..65535");
        }
    }

    public static ServiceBackend of(String ip, int port) {
        return new ServiceBackend(Ipv4Subnet.parseAddress(ip), port);
    }

    /** By address (as an unsigned number), then port: bucket order does not depend on input order. */
    @Override
    public int compareTo(ServiceBackend other) {
        int c = Integer.compareUnsigned(bits(ip), bits(other.ip));
        return c != 0 ? c : Integer.compare(port, other.port);
    }

    private static int bits(Inet4Address address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    @Override
    public String toString() {
        return ip.getHostAddress() + ":" + port;
    }
}
