package io.trellis.ovs.service;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.pipeline.ServiceFlows;
import io.trellis.ovs.pipeline.ServiceFrontend;
import io.trellis.ovs.pipeline.ServiceFrontend.Scope;
import java.net.Inet4Address;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the node's kernel must do so that traffic from outside the cluster reaches the Service
 * frontends on br-int, and host-network clients reach cluster IPs: pure functions from
 * {@link DesiredService}s to iptables-restore input and the routes and neighbours to set on the
 * gateway. {@code io.trellis.ovs.backend.ServiceHostNetwork} applies them.
 *
 * <p>Why the kernel is involved: in netdev mode the node IP lives on the uplink bridge (br-ex), so
 * a packet to {@code <node IP>:<nodePort>} is delivered to the host stack, which would answer it
 * itself. As Antrea does with its NodePort virtual IP, the host DNATs it, port kept, to a link-local
 * address that routes into the gateway port: {@link ServiceFlows#NODE_PORT_CLUSTER_IP} for
 * {@code externalTrafficPolicy: Cluster}, masqueraded on the way out (source = the gateway IP, so
 * an endpoint on another node answers through this node), or {@link ServiceFlows#NODE_PORT_LOCAL_IP}
 * for {@code Local}, not masqueraded (the endpoint sees the client). br-int's frontends on these
 * addresses load-balance as for a cluster IP; replies get the link-local source back from br-int's
 * conntrack and the node IP back from the kernel's. External and load-balancer IPs are not the
 * node's: a host route sends them into the gateway unchanged (masqueraded for {@code Cluster}).
 * Both link-local addresses (and, through them, the external ones) are reached with a permanent
 * neighbour entry on the gateway, so no ARP goes into br-int (which would not answer it).
 *
 * <p>Chains: {@link #DNAT_CHAIN} (jumped to from nat PREROUTING, for clients outside, and OUTPUT,
 * for the node's own clients of its node ports), {@link #MASQUERADE_CHAIN} (from POSTROUTING) and
 * {@link #FORWARD_CHAIN} (from filter FORWARD).
 *
 * @param gatewayInterface the kernel name of the gateway port (trellis-gw0)
 */
public record ServiceHostRules(String gatewayInterface) {

    /** nat chain DNATing node ports to the node-port addresses. */
    public static final String DNAT_CHAIN = "TRELLIS-SERVICES";
    /** nat chain masquerading outside traffic of {@code externalTrafficPolicy: Cluster}. */
    public static final String MASQUERADE_CHAIN = "TRELLIS-SVC-MASQ";
    /** filter chain accepting forwarded Service traffic into and out of the gateway. */
    public static final String FORWARD_CHAIN = "TRELLIS-SVC-FWD";

    public ServiceHostRules {
        requireNonNull(gatewayInterface, "gatewayInterface");
        if (!gatewayInterface.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new IllegalArgumentException("gateway interface name '" + gatewayInterface + "' is not a Linux"
                    + " interface name");
        }
    }

    /**
     * The nat table's restore input (for {@code iptables-restore --noflush}) that makes both chains
     * hold exactly the rules of {@code services} (declaring a chain in restore input flushes it).
     * The jumps into the chains are {@link #jumps()}, added once by the caller.
     */
    public String natRestoreInput(Collection<DesiredService> services) {
        requireNonNull(services, "services");
        StringBuilder in = new StringBuilder("*nat\n");
        in.append(':').append(DNAT_CHAIN).append(" - [0:0]\n");
        in.append(':').append(MASQUERADE_CHAIN).append(" - [0:0]\n");
        in.append("-A ").append(MASQUERADE_CHAIN).append(" -o ").append(gatewayInterface).append(" -d ")
                .append(ServiceFlows.NODE_PORT_CLUSTER_IP.getHostAddress()).append("/32 -j MASQUERADE\n");
        for (DesiredService service : services) {
            String comment = " -m comment --comment \"" + service.ref() + "\"";
            Set<String> gatewayOnly = new LinkedHashSet<>();
            for (ServiceFrontend fe : service.frontends().keySet()) {
                if (fe.scope() == Scope.FROM_GATEWAY) {
                    gatewayOnly.add(key(fe));
                }
            }
            for (ServiceFrontend fe : service.frontends().keySet()) {
                String proto = fe.protocol() == ServiceFrontend.TCP ? "tcp" : "udp";
                if (fe.scope() != Scope.EXTERNAL) {
                    continue;
                }
                if (isNodePortIp(fe.ip())) {
                    // Not 127.0.0.0/8: DNATed loopback packets could not leave through the gateway
                    // (kube-proxy needs route_localnet for that); localhost node ports stay closed.
                    in.append("-A ").append(DNAT_CHAIN).append(" ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -p ")
                            .append(proto)
                            .append(" --dport ").append(fe.port()).append(comment).append(" -j DNAT --to-destination ")
                            .append(fe.ip().getHostAddress()).append('\n');
                } else if (!gatewayOnly.contains(key(fe))) {
                    // externalTrafficPolicy: Cluster on an external / load-balancer IP
                    in.append("-A ").append(MASQUERADE_CHAIN).append(" -o ").append(gatewayInterface).append(" -d ")
                            .append(fe.ip().getHostAddress()).append("/32 -p ").append(proto).append(" --dport ")
                            .append(fe.port()).append(comment).append(" -j MASQUERADE\n");
                }
            }
        }
        return in.append("COMMIT\n").toString();
    }

    /**
     * The filter table's restore input making {@link #FORWARD_CHAIN} accept what the node forwards
     * into the gateway for the node-port addresses and the external and load-balancer IPs, and their
     * replies (the chain matters only where FORWARD's policy drops). Replies still carry the
     * node-port address as source here: the kernel undoes a DNAT in POSTROUTING.
     */
    public String filterRestoreInput(Collection<DesiredService> services) {
        requireNonNull(services, "services");
        StringBuilder in = new StringBuilder("*filter\n");
        in.append(':').append(FORWARD_CHAIN).append(" - [0:0]\n");
        Set<Inet4Address> addresses = new LinkedHashSet<>(List.of(ServiceFlows.NODE_PORT_CLUSTER_IP,
                ServiceFlows.NODE_PORT_LOCAL_IP));
        addresses.addAll(externalIps(services));
        for (Inet4Address ip : addresses) {
            in.append("-A ").append(FORWARD_CHAIN).append(" -o ").append(gatewayInterface).append(" -d ")
                    .append(ip.getHostAddress()).append("/32 -j ACCEPT\n");
            in.append("-A ").append(FORWARD_CHAIN).append(" -i ").append(gatewayInterface).append(" -s ")
                    .append(ip.getHostAddress()).append("/32 -j ACCEPT\n");
        }
        return in.append("COMMIT\n").toString();
    }

    /** The rules jumping into the chains, each added once (first in its built-in chain) by the caller. */
    public List<Jump> jumps() {
        return List.of(new Jump("nat", "PREROUTING", DNAT_CHAIN), new Jump("nat", "OUTPUT", DNAT_CHAIN),
                new Jump("nat", "POSTROUTING", MASQUERADE_CHAIN), new Jump("filter", "FORWARD", FORWARD_CHAIN));
    }

    /** The chains {@link #jumps()} lead to, per table. */
    public static Map<String, List<String>> chains() {
        return Map.of("nat", List.of(DNAT_CHAIN, MASQUERADE_CHAIN), "filter", List.of(FORWARD_CHAIN));
    }

    /**
     * The host routes into the gateway: each node-port address on-link (its neighbour is one of
     * {@link #gatewayNeighbours()}), and {@code via} {@link ServiceFlows#NODE_PORT_CLUSTER_IP} on-link
     * each external and load-balancer IP (clients outside, and the node itself) and each cluster IP
     * (host-network clients: br-int's cluster-IP frontends take packets from the gateway like any
     * pod's; the caller gives these routes the gateway IP as source, so replies, also from
     * endpoints on other nodes, come back to this node's gateway). One route per address however
     * many Services and ports use it.
     */
    public List<GatewayRoute> routes(Collection<DesiredService> services) {
        requireNonNull(services, "services");
        Map<Inet4Address, GatewayRoute> routes = new LinkedHashMap<>();
        for (Inet4Address ip : List.of(ServiceFlows.NODE_PORT_CLUSTER_IP, ServiceFlows.NODE_PORT_LOCAL_IP)) {
            routes.put(ip, new GatewayRoute(ip, Optional.empty()));
        }
        Optional<Inet4Address> via = Optional.of(ServiceFlows.NODE_PORT_CLUSTER_IP);
        for (Inet4Address ip : externalIps(services)) {
            routes.putIfAbsent(ip, new GatewayRoute(ip, via));
        }
        for (DesiredService service : services) {
            for (ServiceFrontend fe : service.frontends().keySet()) {
                if (fe.scope() == Scope.CLUSTER_IP) {
                    routes.putIfAbsent(fe.ip(), new GatewayRoute(fe.ip(), via));
                }
            }
        }
        return List.copyOf(routes.values());
    }

    /**
     * The addresses that get a permanent neighbour entry on the gateway with the gateway's own MAC
     * (br-int rewrites the destination MAC after its DNAT anyway), so the kernel never ARPs for
     * them into br-int, which would not answer.
     */
    public List<Inet4Address> gatewayNeighbours() {
        return List.of(ServiceFlows.NODE_PORT_CLUSTER_IP, ServiceFlows.NODE_PORT_LOCAL_IP);
    }

    /**
     * A rule {@code -j chain} in the built-in chain {@code from} of {@code table}.
     */
    public record Jump(String table, String from, String chain) {
        public Jump {
            requireNonNull(table, "table");
            requireNonNull(from, "from");
            requireNonNull(chain, "chain");
        }

        /** The rule's text after {@code -A FROM}. */
        public String spec() {
            return "-j " + chain;
        }
    }

    /**
     * A host route {@code destination/32 dev <gateway>}, with {@code via} an on-link next hop.
     */
    public record GatewayRoute(Inet4Address destination, Optional<Inet4Address> via) {
        public GatewayRoute {
            requireNonNull(destination, "destination");
            requireNonNull(via, "via");
        }

        @Override
        public String toString() {
            return destination.getHostAddress() + "/32" + via.map(v -> " via " + v.getHostAddress() + " onlink").orElse("");
        }
    }

    /** The distinct external and load-balancer IPs of {@code services}. */
    private static Set<Inet4Address> externalIps(Collection<DesiredService> services) {
        Set<Inet4Address> external = new LinkedHashSet<>();
        for (DesiredService service : services) {
            service.frontends().keySet().stream().filter(fe -> fe.scope() == Scope.EXTERNAL && !isNodePortIp(fe.ip()))
                    .forEach(fe -> external.add(fe.ip()));
        }
        return external;
    }

    private static boolean isNodePortIp(Inet4Address ip) {
        return ip.equals(ServiceFlows.NODE_PORT_CLUSTER_IP) || ip.equals(ServiceFlows.NODE_PORT_LOCAL_IP);
    }

    private static String key(ServiceFrontend fe) {
        return fe.protocol() + "/" + fe.ip().getHostAddress() + ":" + fe.port();
    }
}
