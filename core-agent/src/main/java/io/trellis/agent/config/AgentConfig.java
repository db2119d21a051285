package io.trellis.agent.config;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.BackendSettings;
import java.util.Map;
import java.util.Optional;

/**
 * The node agent's configuration, as loaded and validated by {@link AgentConfigLoader} from
 * {@code trellis-agent.yaml}. Every component is documented in {@code config/trellis-agent.yaml}.
 *
 * @param nodeName where the Node name comes from
 * @param backends the backend of each concern
 * @param network  node-wide network settings
 * @param paths    state, run and socket paths
 * @param controller the controller's agent API, for NetworkPolicies; present when {@code backends.policy}
 *                 is not {@code none} (required then) or the section is given
 * @param ovs      the OVS section ({@code settings.ovs}), read and checked by the agent; present when
 *                 a concern uses the {@code ovs} backend or the section is given
 * @param settings every backend's own section by backend name ({@code settings.<name>}), including
 *                 {@code ovs}; handed to that backend as {@link io.trellis.spi.BackendContext#settings()}
 */
public record AgentConfig(
        NodeNameSource nodeName, Backends backends, NetworkConfig network, PathsConfig paths,
        Optional<ControllerConfig> controller, Optional<OvsConfig> ovs, Map<String, BackendSettings> settings) {
    public AgentConfig {
        requireNonNull(nodeName, "nodeName");
        requireNonNull(backends, "backends");
        requireNonNull(network, "network");
        requireNonNull(paths, "paths");
        requireNonNull(controller, "controller");
        requireNonNull(ovs, "ovs");
        settings = Map.copyOf(requireNonNull(settings, "settings"));
    }

    /** The section of {@code backend}, empty when the configuration has none. */
    public BackendSettings settingsOf(String backend) {
        return settings.getOrDefault(backend, BackendSettings.empty(AgentConfigLoader.SETTINGS + "." + backend));
    }
}
