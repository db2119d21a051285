package io.trellis.agent.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;

/**
 * How the agent reaches the Trellis controller's agent API ({@code controller:}), from which it
 * receives the NetworkPolicy objects for its node over TLS.
 *
 * @param address   {@code https://host:port} of the controller's agent API
 * @param caFile    PEM certificate(s) of the CA that signed the controller's certificate
 * @param tokenFile the file holding this node's token (the controller checks it against the node name)
 */
public record ControllerConfig(URI address, Path caFile, Path tokenFile) {
    public ControllerConfig {
        requireNonNull(address, "address");
        requireNonNull(caFile, "caFile");
        requireNonNull(tokenFile, "tokenFile");
        if (!"https".equals(address.getScheme()) || address.getHost() == null || address.getPort() < 0) {
            throw new IllegalArgumentException("controller address must be https://host:port, got '" + address + "'");
        }
    }
}
