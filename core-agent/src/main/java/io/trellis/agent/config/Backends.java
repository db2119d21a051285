package io.trellis.agent.config;

import static java.util.Objects.requireNonNull;

import io.trellis.agent.backend.Concern;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which backend provides each concern ({@code backends:}); an empty optional concern is
 * {@code none} (left to another component, e.g. kube-proxy for Services).
 */
public record Backends(
        String ipam, String podInterface, Optional<String> nodeRoutes, Optional<String> serviceProxy,
        Optional<String> policy) {
    public Backends {
        requireNonNull(ipam, "ipam");
        requireNonNull(podInterface, "podInterface");
        requireNonNull(nodeRoutes, "nodeRoutes");
        requireNonNull(serviceProxy, "serviceProxy");
        requireNonNull(policy, "policy");
    }

    /** The backend chosen for {@code concern}, if any. */
    public Optional<String> forConcern(Concern concern) {
        return switch (concern) {
            case IPAM -> Optional.of(ipam);
            case POD_INTERFACE -> Optional.of(podInterface);
            case NODE_ROUTES -> nodeRoutes;
            case SERVICE_PROXY -> serviceProxy;
            case POLICY -> policy;
        };
    }

    /** Every backend named for some concern, sorted. */
    public Set<String> used() {
        Set<String> out = new TreeSet<>();
        for (Concern c : Concern.values()) {
            forConcern(c).ifPresent(out::add);
        }
        return out;
    }
}
