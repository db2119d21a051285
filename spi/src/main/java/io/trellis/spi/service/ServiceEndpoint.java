package io.trellis.spi.service;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * One backend of a Service (an EndpointSlice endpoint, one address).
 *
 * @param address  the endpoint's IP (a pod IP or, for Services without selector, any IP)
 * @param ports    the ports it serves, matched to {@link ServicePort}s by name and protocol
 * @param ready    whether it receives new connections ({@code conditions.ready})
 * @param nodeName the node it runs on, when known (for node-local traffic policies)
 */
public record ServiceEndpoint(InetAddress address, List<EndpointPort> ports, boolean ready, Optional<String> nodeName) {
    public ServiceEndpoint {
        requireNonNull(address, "address");
        ports = List.copyOf(requireNonNull(ports, "ports"));
        requireNonNull(nodeName, "nodeName");
    }

    /** The port this endpoint serves {@code servicePort} on, if it serves it. */
    public Optional<EndpointPort> portFor(ServicePort servicePort) {
        return ports.stream()
                .filter(p -> p.name().equals(servicePort.name()) && p.protocol() == servicePort.protocol())
                .findFirst();
    }
}
