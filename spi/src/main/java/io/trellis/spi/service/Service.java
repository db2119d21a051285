package io.trellis.spi.service;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Service with a cluster IP joined with its endpoints: what a proxy needs to translate
 * {@code clusterIp:port} (and {@code nodeIp:nodePort}) to one ready endpoint.
 *
 * <p>Not modelled yet: headless Services (no cluster IP: nothing to proxy, the agent does not pass
 * them), {@code loadBalancerSourceRanges}, {@code healthCheckNodePort} and topology hints. Backends
 * must not guess them.
 *
 * @param ref              namespace/name
 * @param clusterIps       {@code spec.clusterIPs}, one per IP family
 * @param ports            {@code spec.ports}; unique by (protocol, port) and by name
 * @param endpoints        the endpoints of all the Service's EndpointSlices
 * @param clientIpAffinity {@code spec.sessionAffinity: ClientIP} with its timeout; empty for
 *                         {@code None} (the API's default)
 * @param externalIps      {@code spec.externalIPs}: more addresses the Service's ports answer on, as
 *                         the cluster IP does (the network routes them to nodes; not the proxy's job)
 * @param loadBalancerIps  {@code status.loadBalancer.ingress[].ip} of a LoadBalancer Service (ingress
 *                         entries with only a hostname have none), treated like external IPs
 * @param externalTrafficPolicy which endpoints traffic from outside the cluster goes to: to node
 *                         ports ({@link ServicePort#nodePort()}), external and load-balancer IPs
 * @param internalTrafficPolicy which endpoints traffic to the cluster IPs goes to
 */
public record Service(ServiceRef ref, List<InetAddress> clusterIps, List<ServicePort> ports, List<ServiceEndpoint> endpoints,
                      Optional<ClientIpAffinity> clientIpAffinity, List<InetAddress> externalIps,
                      List<InetAddress> loadBalancerIps, TrafficPolicy externalTrafficPolicy,
                      TrafficPolicy internalTrafficPolicy) {

    /** A Service without session affinity ({@code sessionAffinity: None}). */
    public Service(ServiceRef ref, List<InetAddress> clusterIps, List<ServicePort> ports, List<ServiceEndpoint> endpoints) {
        this(ref, clusterIps, ports, endpoints, Optional.empty());
    }

    /** A Service reached on its cluster IPs (and node ports) only, both traffic policies {@code Cluster}. */
    public Service(ServiceRef ref, List<InetAddress> clusterIps, List<ServicePort> ports, List<ServiceEndpoint> endpoints,
                   Optional<ClientIpAffinity> clientIpAffinity) {
        this(ref, clusterIps, ports, endpoints, clientIpAffinity, List.of(), List.of(), TrafficPolicy.CLUSTER,
                TrafficPolicy.CLUSTER);
    }

    public Service {
        requireNonNull(ref, "ref");
        requireNonNull(clientIpAffinity, "clientIpAffinity");
        requireNonNull(externalTrafficPolicy, "externalTrafficPolicy");
        requireNonNull(internalTrafficPolicy, "internalTrafficPolicy");
        externalIps = List.copyOf(requireNonNull(externalIps, "externalIps"));
        loadBalancerIps = List.copyOf(requireNonNull(loadBalancerIps, "loadBalancerIps"));
        clusterIps = List.copyOf(requireNonNull(clusterIps, "clusterIps"));
        ports = List.copyOf(requireNonNull(ports, "ports"));
        endpoints = List.copyOf(requireNonNull(endpoints, "endpoints"));
        if (clusterIps.isEmpty()) {
            throw new IllegalArgumentException("service " + ref + " has no cluster IP (headless services are not proxied)");
        }
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("service " + ref + " has no port");
        }
        Set<String> names = new HashSet<>();
        Set<String> protocolPorts = new HashSet<>();
        for (ServicePort port : ports) {
            if (!names.add(port.name())) {
                throw new IllegalArgumentException("service " + ref + ": port name '" + port.name() + "' is used twice");
            }
            if (!protocolPorts.add(port.protocol() + "/" + port.port())) {
                throw new IllegalArgumentException("service " + ref + ": " + port.protocol() + " port " + port.port()
                        + " is declared twice");
            }
        }
        if (ports.size() > 1 && names.contains("")) {
            throw new IllegalArgumentException("service " + ref + ": every port needs a name when there are several");
        }
    }

    /** This Service with other external and load-balancer IPs and traffic policies. */
    public Service withExternalAccess(List<InetAddress> externalIps, List<InetAddress> loadBalancerIps,
                                      TrafficPolicy externalTrafficPolicy, TrafficPolicy internalTrafficPolicy) {
        return new Service(ref, clusterIps, ports, endpoints, clientIpAffinity, externalIps, loadBalancerIps,
                externalTrafficPolicy, internalTrafficPolicy);
    }
}
