package io.trellis.controlplane.stream;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where and as whom an agent watches its policy objects.
 *
 * @param controller the controller's agent API, {@code https://host:port}
 * @param caFile     PEM file of the CA certificate(s) the controller's certificate must chain to (and only those)
 * @param tokenFile  file holding this node's token ({@link AgentTokens}); read again at every connection
 * @param nodeName   this node's name, as the controller knows it
 */
public record PolicyStreamSettings(URI controller, Path caFile, Path tokenFile, String nodeName) {
    public PolicyStreamSettings {
        requireNonNull(controller, "controller");
        requireNonNull(caFile, "caFile");
        requireNonNull(tokenFile, "tokenFile");
        requireNonNull(nodeName, "nodeName");
        if (!"https".equalsIgnoreCase(controller.getScheme()) || controller.getHost() == null) {
            throw new IllegalArgumentException("controller address must be https://host[:port], got " + controller);
        }
        if (nodeName.isEmpty() || nodeName.indexOf(':') >= 0) {
            throw new IllegalArgumentException("node name must be non-empty and without ':', got '" + nodeName + "'");
        }
    }
}
