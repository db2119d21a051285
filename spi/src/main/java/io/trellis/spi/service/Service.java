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
 * them), external IPs, load-balancer IPs, internal/external traffic policies and topology hints.
 * Backends must not guess them.
 *
 * @param ref              namespace/name
 * @param clusterIps       {@code spec.clusterIPs}, one per IP family
 * @param ports            {@code spec.ports}; unique by (protocol, port) and by name
 * @param endpoints        the endpoints of all the Service's EndpointSlices
 * @param clientIpAffinity {@code spec.sessionAffinity: ClientIP} with its timeout; empty for
 *                         {@code None} (the API's default)
 */
public record Service(ServiceRef ref, List<InetAddress> clusterIps, List<ServicePort> ports, List<ServiceEndpoint> endpoints,
                      Optional<ClientIpAffinity> clientIpAffinity) {

    /** A Service without session affinity ({@code sessionAffinity: None}). */
    public Service(ServiceRef ref, List<InetAddress> clusterIps, List<ServicePort> ports, List<ServiceEndpoint> endpoints) {
        this(ref, clusterIps, ports, endpoints, Optional.empty());
    }

    public Service {
        requireNonNull(ref, "ref");
        requireNonNull(clientIpAffinity, "clientIpAffinity");
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
}
