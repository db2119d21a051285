package io.trellis.controlplane.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.Protocol;

/** A named container port of a pod ({@code spec.containers[].ports[]} with a name), for named policy ports. */
public record NamedPort(String name, Protocol protocol, int port) {
    public NamedPort {
        requireNonNull(name, "name");
        requireNonNull(protocol, "protocol");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("named port needs a name");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("named port " + name + ": port must be 1..65535, got " + port);
        }
    }
}
