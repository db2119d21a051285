package io.trellis.spi.service;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * One backend of a Service (an EndpointSlice endpoint, one address), with the slice's three
 * conditions.
 *
 * <p>Which endpoints get new connections (kube-proxy's rule, which proxies should follow): the
 * ready ones; when a Service port has none, the ones that are {@code serving} and
 * {@code terminating} (pods shutting down gracefully still take connections rather than none
 * being taken at all). {@link #ready()} and {@link #servingTerminating()} say which group an
 * endpoint is in.
 *
 * @param address     the endpoint's IP (a pod IP or, for Services without selector, any IP)
 * @param ports       the ports it serves, matched to {@link ServicePort}s by name and protocol
 * @param ready       {@code conditions.ready}: it receives new connections
 * @param serving     {@code conditions.serving}: it would answer, whether or not it is terminating
 *                    (the API's absent value means the same as {@code ready})
 * @param terminating {@code conditions.terminating}: it is shutting down (absent: false)
 * @param nodeName    the node it runs on, when known (for node-local traffic policies)
 */
public record ServiceEndpoint(InetAddress address, List<EndpointPort> ports, boolean ready, boolean serving,
                              boolean terminating, Optional<String> nodeName) {
    public ServiceEndpoint {
        requireNonNull(address, "address");
        ports = List.copyOf(requireNonNull(ports, "ports"));
        requireNonNull(nodeName, "nodeName");
    }

    /** An endpoint that is not terminating, serving exactly when it is ready. */
    public ServiceEndpoint(InetAddress address, List<EndpointPort> ports, boolean ready, Optional<String> nodeName) {
        this(address, ports, ready, ready, false, nodeName);
    }

    /** Serving but terminating: used only when a Service port has no ready endpoint. */
    public boolean servingTerminating() {
        return serving && terminating;
    }

    /** The port this endpoint serves {@code servicePort} on, if it serves it. */
    public Optional<EndpointPort> portFor(ServicePort servicePort) {
        return ports.stream()
                .filter(p -> p.name().equals(servicePort.name()) && p.protocol() == servicePort.protocol())
                .findFirst();
    }
}
