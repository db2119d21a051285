package io.trellis.controller.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The {@code agentApi} section: where the controller serves the agents their policy objects (and
 * takes their policy statistics), over TLS.
 *
 * @param listen               address and port to listen on ({@code 0.0.0.0:10349})
 * @param certificateFile      PEM certificate chain of the server, leaf first
 * @param privateKeyFile       PEM PKCS#8 private key of the leaf certificate ({@code BEGIN PRIVATE KEY})
 * @param agentTokenSecretFile the secret every agent token is derived from (HMAC-SHA256 of the node name)
 */
public record AgentApiSettings(InetSocketAddress listen, Path certificateFile, Path privateKeyFile,
                               Path agentTokenSecretFile) {
    public AgentApiSettings {
        requireNonNull(listen, "listen");
        requireNonNull(certificateFile, "certificateFile");
        requireNonNull(privateKeyFile, "privateKeyFile");
        requireNonNull(agentTokenSecretFile, "agentTokenSecretFile");
    }
}
