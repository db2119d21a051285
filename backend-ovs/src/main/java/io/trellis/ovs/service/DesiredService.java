package io.trellis.ovs.service;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.pipeline.ServiceBackend;
import io.trellis.ovs.pipeline.ServiceFrontend;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.ClientIpAffinity;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServicePort;
import io.trellis.spi.service.ServiceRef;
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
 * What one Service asks of OVS: each frontend (IPv4 cluster IP × TCP/UDP port) with the backends
 * its new connections go to. Two desired states are equal exactly when they need the same flows
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
     * Translates an SPI Service. Its IPv4 cluster IPs only (the pipeline is IPv4-only); TCP and
     * UDP ports only ({@link #unsupportedPorts}); per port, the ready endpoints with an IPv4 address
     * that serve it (none ready: the serving-and-terminating ones, as kube-proxy does) (an endpoint port of the same name and protocol: the targetPort the slice
     * resolved, numeric or named), DNATed to that endpoint port. ClientIP affinity applies to every
     * frontend (kube-proxy keeps it per Service port).
     */
    public static DesiredService of(Service service) {
        requireNonNull(service, "service");
        Map<ServiceFrontend, List<ServiceBackend>> frontends = new LinkedHashMap<>();
        for (InetAddress address : service.clusterIps()) {
            if (!(address instanceof Inet4Address clusterIp)) {
                continue;
            }
            for (ServicePort port : service.ports()) {
                if (!supported(port.protocol())) {
                    continue;
                }
                List<ServiceBackend> backends = backends(service, port, ServiceEndpoint::ready);
                if (backends.isEmpty()) {
                    // kube-proxy's fallback: pods shutting down gracefully rather than nothing.
                    backends = backends(service, port, ServiceEndpoint::servingTerminating);
                }
                frontends.put(new ServiceFrontend(clusterIp, port.protocol().ipProtocolNumber(), port.port()),
                        backends);
            }
        }
        return new DesiredService(service.ref(), frontends,
                service.clientIpAffinity().map(ClientIpAffinity::timeoutSeconds).orElse(0));
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
        // SCTP: the userspace datapath's conntrack (OVS 3.1) neither tracks nor NATs it.
        return protocol == Protocol.TCP || protocol == Protocol.UDP;
    }
}
