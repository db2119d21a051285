package io.trellis.spi;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * What the agent hands a backend's factories: who and where it runs, and its own configuration.
 *
 * @param backendName the backend's {@link TrellisBackend#name()}, for logs and error messages
 * @param nodeName    the Kubernetes Node this agent serves
 * @param settings    the backend's own section of the agent configuration ({@code settings.<name>}),
 *                    already checked against {@link TrellisBackend#settingKeys()}; empty when absent
 * @param stateDir    a directory owned by this backend alone that survives agent restarts (and should
 *                    survive node reboots); created by the agent before the factories run
 * @param runDir      a directory owned by this backend alone for sockets and pid files; may be on tmpfs
 * @param network     the node-wide network facts every backend sees the same way
 */
public record BackendContext(
        String backendName, String nodeName, BackendSettings settings, Path stateDir, Path runDir,
        NetworkSettings network) {
    public BackendContext {
        requireNonNull(backendName, "backendName");
        requireNonNull(nodeName, "nodeName");
        requireNonNull(settings, "settings");
        requireNonNull(stateDir, "stateDir");
        requireNonNull(runDir, "runDir");
        requireNonNull(network, "network");
        if (nodeName.isEmpty()) {
            throw new IllegalArgumentException("nodeName must not be empty");
        }
    }
}
