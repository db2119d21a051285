package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;

/**
 * Where clients reach one port of a Service: destination IP, L4 protocol, port, and which clients.
 *
 * @param ip       the cluster IP (or an external, load-balancer or node-port address, see {@link Scope})
 * @param protocol {@link #TCP} or {@link #UDP} (the IPv4 protocol number)
 * @param port     1..65535
 * @param scope    which packets the frontend takes and whether the IP's other ports are closed
 */
public record ServiceFrontend(Inet4Address ip, int protocol, int port, Scope scope) {

    public static final int TCP = 6;
    public static final int UDP = 17;

    /** Which packets to {@code ip:port} a frontend takes. */
    public enum Scope {
        /**
         * A cluster IP: every client; the address belongs to the Service alone, so packets to its
         * other ports are dropped instead of leaking to the node's routes.
         */
        CLUSTER_IP,
        /**
         * An external or load-balancer IP, or a node-port address: every client; the address's
         * other ports are left alone (an external IP may be a real host's too).
         */
        EXTERNAL,
        /**
         * Like {@link #EXTERNAL}, but only packets that entered through the gateway port (from
         * outside the cluster, or the node itself), at a higher priority than an EXTERNAL frontend
         * of the same address and port: {@code externalTrafficPolicy: Local} applies to them, while
         * pods reach the Service's endpoints on every node (kube-proxy does the same).
         */
        FROM_GATEWAY
    }

    /** A cluster IP frontend. */
    public ServiceFrontend(Inet4Address ip, int protocol, int port) {
        this(ip, protocol, port, Scope.CLUSTER_IP);
    }

    public ServiceFrontend {
        requireNonNull(ip, "ip");
        requireNonNull(scope, "scope");
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
        return (protocol == TCP ? "tcp:" : "udp:") + ip.getHostAddress() + ":" + port
                + (scope == Scope.CLUSTER_IP ? "" : scope == Scope.EXTERNAL ? " (external)" : " (from gateway)");
    }
}
