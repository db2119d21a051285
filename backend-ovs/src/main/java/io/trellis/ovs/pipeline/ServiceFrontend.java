package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;

/**
 * Where clients reach one port of a Service: cluster IP, L4 protocol, port.
 *
 * @param ip       the cluster IP
 * @param protocol {@link #TCP} or {@link #UDP} (the IPv4 protocol number)
 * @param port     1..65535
 */
public record ServiceFrontend(Inet4Address ip, int protocol, int port) {

    public static final int TCP = 6;
    public static final int UDP = 17;

    public ServiceFrontend {
        requireNonNull(ip, "ip");
        if (protocol != TCP && protocol != UDP) {
            // SCTP (132) is left out: OVS's userspace conntrack (netdev datapath) does not track
            // or NAT it, so its connections could not be pinned to an endpoint.
            throw new IllegalArgumentException("service frontend " + ip.getHostAddress() + ":" + port
                    + ": protocol " + protocol + " is not supported (TCP 6 or UDP 17)");
        }
        if (port < 1 || port > 0xffff) {
            throw new IllegalArgumentException("service frontend " + ip.getHostAddress() + ": port " + port
                    + " out of range 1..65535");
        }
    }

    /** Parses the text form: {@code of("10.96.0.10", TCP, 80)}. */
    public static ServiceFrontend of(String ip, int protocol, int port) {
        return new ServiceFrontend(Ipv4Subnet.parseAddress(ip), protocol, port);
    }

    @Override
    public String toString() {
        return (protocol == TCP ? "tcp:" : "udp:") + ip.getHostAddress() + ":" + port;
    }
}
