package io.trellis.agent.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * Where the agent keeps things ({@code paths:}).
 *
 * @param stateDir  state that must survive restarts (IPAM allocations, attachments); each backend
 *                  gets {@code <stateDir>/backends/<name>}
 * @param runDir    sockets and other runtime files; each backend gets {@code <runDir>/backends/<name>}
 * @param cniSocket the Unix socket the CNI executable talks to
 */
public record PathsConfig(Path stateDir, Path runDir, Path cniSocket) {
    public PathsConfig {
        requireNonNull(stateDir, "stateDir");
        requireNonNull(runDir, "runDir");
        requireNonNull(cniSocket, "cniSocket");
    }
}
