package io.trellis.spi.service;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.Protocol;

/** A port an endpoint serves a Service port on (an EndpointSlice's {@code ports[]}), matched to it by name. */
public record EndpointPort(String name, Protocol protocol, int port) {
    public EndpointPort {
        requireNonNull(name, "name");
        requireNonNull(protocol, "protocol");
        ServicePort.checkPort("endpoint port", port);
    }
}
