package io.trellis.spi;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * What {@link TrellisBackend#uninstall} gets: the same configuration a running agent hands the
 * backend in its {@link BackendContext}, without the node facts (the API server may be gone by the
 * time a node is cleaned up).
 *
 * @param backendName the backend's {@link TrellisBackend#name()}
 * @param settings    the backend's own section of the agent configuration
 * @param stateDir    the backend's state directory (may not exist)
 * @param runDir      the backend's run directory (may not exist)
 */
public record UninstallContext(String backendName, BackendSettings settings, Path stateDir, Path runDir) {
    public UninstallContext {
        requireNonNull(backendName, "backendName");
        requireNonNull(settings, "settings");
        requireNonNull(stateDir, "stateDir");
        requireNonNull(runDir, "runDir");
    }
}
