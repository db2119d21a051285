package io.trellis.ovs.service;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.pipeline.ServiceBackend;
import io.trellis.ovs.pipeline.ServiceFlows;
import io.trellis.ovs.pipeline.ServiceFrontend;
import io.trellis.ovs.pipeline.ServiceFrontend.Scope;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.ClientIpAffinity;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServicePort;
import io.trellis.spi.service.ServiceRef;
import io.trellis.spi.service.TrafficPolicy;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What one Service asks of OVS: each frontend (IPv4 cluster, external, load-balancer or node-port
 * address × TCP/UDP port, see {@link #of(Service, Optional)}) with the backends its new
 * connections go to. Two desired states are equal exactly when they need the same flows
 * and groups, which is how the proxy skips Services whose change does not concern it.
 *
 * @param ref                    the Service
 * @param frontends              frontends in the Service's port order, each with its backends sorted and distinct
 * @param affinityTimeoutSeconds ClientIP session affinity of every frontend, 0 for none
 */
public record DesiredService(ServiceRef ref, Map<ServiceFrontend, List<ServiceBackend>> frontends,
                             int affinityTimeoutSeconds) {

    public DesiredService {
        requireNonNull(ref, "ref");
        if (affinityTimeoutSeconds < 0) {
            throw new IllegalArgumentException("service " + ref + ": affinity timeout " + affinityTimeoutSeconds
                    + " s is negative");
        }
        requireNonNull(frontends, "frontends");
        Map<ServiceFrontend, List<ServiceBackend>> copy = new LinkedHashMap<>();
        frontends.forEach((fe, backends) -> copy.put(requireNonNull(fe, "frontend"),
                List.copyOf(new TreeSet<>(requireNonNull(backends, "backends")))));
        frontends = Collections.unmodifiableMap(copy);
    }

    /**
     * Translates an SPI Service for a proxy that does not know its node: like
     * {@link #of(Service, Optional)} with no node name, so {@code Local} traffic policies find no
     * local endpoint.
     */
    public static DesiredService of(Service service) {
        return of(service, Optional.empty());
    }

    /**
     * Translates an SPI Service as the node {@code nodeName} serves it. Its IPv4 addresses only
     * (the pipeline is IPv4-only); TCP and UDP ports only ({@link #unsupportedPorts}); per port,
     * the ready endpoints with an IPv4 address that serve it (none ready: the
     * serving-and-terminating ones, as kube-proxy does) (an endpoint port of the same name and
     * protocol: the targetPort the slice resolved, numeric or named), DNATed to that endpoint port.
     * Frontends, each with a group of its own:
     * <ul>
     *   <li>each cluster IP ({@link ServiceFrontend.Scope#CLUSTER_IP}); with
     *       {@code internalTrafficPolicy: Local} only endpoints on this node;</li>
     *   <li>each external and load-balancer IP ({@link ServiceFrontend.Scope#EXTERNAL}), every
     *       endpoint; with {@code externalTrafficPolicy: Local} also a
     *       {@link ServiceFrontend.Scope#FROM_GATEWAY} frontend with this node's endpoints only, so
     *       clients from outside keep their address and stay on this node while pods reach all;</li>
     *   <li>each node port on {@link ServiceFlows#NODE_PORT_CLUSTER_IP} (every endpoint) or, with
     *       {@code externalTrafficPolicy: Local}, {@link ServiceFlows#NODE_PORT_LOCAL_IP} (this
     *       node's endpoints): the host DNATs node-port connections to these addresses.</li>
     * </ul>
     * The local choice applies the ready / serving-terminating rule among this node's endpoints, as
     * kube-proxy does. ClientIP affinity applies to every frontend (kube-proxy keeps it per Service port).
     *
     * @param nodeName the node this proxy runs on; endpoints whose {@code nodeName} equals it are local
     */
    public static DesiredService of(Service service, Optional<String> nodeName) {
        requireNonNull(service, "service");
        requireNonNull(nodeName, "nodeName");
        Predicate<ServiceEndpoint> local = e -> nodeName.isPresent() && e.nodeName().equals(nodeName);
        Predicate<ServiceEndpoint> anywhere = e -> true;
        Predicate<ServiceEndpoint> internal = service.internalTrafficPolicy() == TrafficPolicy.LOCAL ? local : anywhere;
        boolean externalLocal = service.externalTrafficPolicy() == TrafficPolicy.LOCAL;
        List<Inet4Address> externalIps = new ArrayList<>();
        for (InetAddress address : concat(service.externalIps(), service.loadBalancerIps())) {
            if (address instanceof Inet4Address ip && !externalIps.contains(ip)) {
                externalIps.add(ip);
            }
        }
        Map<ServiceFrontend, List<ServiceBackend>> frontends = new LinkedHashMap<>();
        for (ServicePort port : service.ports()) {
            if (!supported(port.protocol())) {
                continue;
            }
            int protocol = port.protocol().ipProtocolNumber();
            for (InetAddress address : service.clusterIps()) {
                if (address instanceof Inet4Address clusterIp) {
                    frontends.put(new ServiceFrontend(clusterIp, protocol, port.port()), used(service, port, internal));
                }
            }
            for (Inet4Address ip : externalIps) {
                frontends.put(new ServiceFrontend(ip, protocol, port.port(), Scope.EXTERNAL), used(service, port, anywhere));
                if (externalLocal) {
                    frontends.put(new ServiceFrontend(ip, protocol, port.port(), Scope.FROM_GATEWAY),
                            used(service, port, local));
                }
            }
            if (port.nodePort().isPresent()) {
                Inet4Address nodePortIp = externalLocal ? ServiceFlows.NODE_PORT_LOCAL_IP : ServiceFlows.NODE_PORT_CLUSTER_IP;
                frontends.put(new ServiceFrontend(nodePortIp, protocol, port.nodePort().getAsInt(), Scope.EXTERNAL),
                        used(service, port, externalLocal ? local : anywhere));
            }
        }
        return new DesiredService(service.ref(), frontends,
                service.clientIpAffinity().map(ClientIpAffinity::timeoutSeconds).orElse(0));
    }

    /** Among the endpoints passing {@code where}: the ready ones; none: the serving-and-terminating ones. */
    private static List<ServiceBackend> used(Service service, ServicePort port, Predicate<ServiceEndpoint> where) {
        List<ServiceBackend> backends = backends(service, port, where.and(ServiceEndpoint::ready));
        if (backends.isEmpty()) {
            // kube-proxy's fallback: pods shutting down gracefully rather than nothing.
            backends = backends(service, port, where.and(ServiceEndpoint::servingTerminating));
        }
        return backends;
    }

    private static List<InetAddress> concat(List<InetAddress> a, List<InetAddress> b) {
        List<InetAddress> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The endpoints passing {@code usable} with an IPv4 address that serve {@code port}, DNATed to their port. */
    private static List<ServiceBackend> backends(Service service, ServicePort port, Predicate<ServiceEndpoint> usable) {
        List<ServiceBackend> backends = new ArrayList<>();
        for (ServiceEndpoint endpoint : service.endpoints()) {
            if (!usable.test(endpoint) || !(endpoint.address() instanceof Inet4Address ip)) {
                continue;
            }
            Optional<EndpointPort> target = endpoint.portFor(port);
            target.ifPresent(p -> backends.add(new ServiceBackend(ip, p.port())));
        }
        return backends;
    }

    /** The Service's ports this proxy cannot load-balance (SCTP), for a warning. */
    public static List<ServicePort> unsupportedPorts(Service service) {
        return service.ports().stream().filter(p -> !supported(p.protocol())).toList();
    }

    private static boolean supported(Protocol protocol) {
        // SCTP: the userspace datapath's conntrack (OVS 3.1) tracks it without ports, so no DNAT to a port (ServiceWarnings).
        return protocol == Protocol.TCP || protocol == Protocol.UDP;
    }
}
