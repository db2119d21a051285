package io.trellis.agent;

import static java.util.Objects.requireNonNull;

import io.trellis.agent.backend.BackendRegistry;
import io.trellis.agent.config.AgentConfig;
import io.trellis.agent.config.AgentConfigLoader;
import io.trellis.spi.TrellisBackend;
import io.trellis.spi.UninstallContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code trellis-agent --uninstall}: asks every backend the configuration uses to remove what it
 * put on the node ({@link TrellisBackend#uninstall}). Needs no API server; run it with the agent
 * stopped (e.g. from a DaemonSet's pre-stop or by hand when removing Trellis from a node). Every
 * backend is tried even when one fails; the failures are reported together.
 */
public final class NodeUninstaller {
    private static final Logger LOG = LoggerFactory.getLogger(NodeUninstaller.class);

    private final BackendRegistry registry;

    public NodeUninstaller(BackendRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
    }

    /** Uninstalls the backends of the configuration at {@code configFile}; the names of those that failed. */
    public List<String> uninstall(Path configFile) {
        AgentConfig config = new AgentConfigLoader(registry).load(configFile);
        List<String> failed = new ArrayList<>();
        for (String name : config.backends().used()) {
            TrellisBackend backend = registry.find(name).orElseThrow(() -> new IllegalStateException(
                    "backend '" + name + "' was validated but is not in " + registry));
            UninstallContext context = new UninstallContext(name, config.settingsOf(name),
                    config.paths().stateDir().resolve("backends").resolve(name),
                    config.paths().runDir().resolve("backends").resolve(name));
            try {
                backend.uninstall(context);
                LOG.info("backend {} uninstalled", name);
            } catch (RuntimeException e) {
                LOG.error("uninstalling backend {} failed: {}", name, e.getMessage(), e);
                failed.add(name + ": " + e.getMessage());
            }
        }
        return failed;
    }
}
