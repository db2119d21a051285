package io.trellis.spi;

import io.trellis.spi.ipam.IpamDriverFactory;
import io.trellis.spi.node.NodeRouteDriverFactory;
import io.trellis.spi.pod.PodInterfaceDriverFactory;
import io.trellis.spi.policy.PolicyEnforcerFactory;
import io.trellis.spi.service.ServiceProxyFactory;
import java.util.Optional;
import java.util.Set;

/**
 * The entry point of a backend module: found by {@link java.util.ServiceLoader} through a
 * {@code META-INF/services/io.trellis.spi.TrellisBackend} file in the backend's jar, and selected
 * by {@link #name()} in the agent's YAML configuration ({@code backends.podInterface: ovs}).
 *
 * <p>A backend provides any subset of the five concerns: each accessor returns the factory of a
 * concern it implements and, by default, nothing. The agent rejects at start a configuration that
 * assigns a concern to a backend that does not provide it.
 *
 * <p>Contract:
 * <ul>
 *   <li>The agent loads one instance per run, with the public no-argument constructor
 *       ServiceLoader requires; the constructor does no I/O.</li>
 *   <li>The agent calls each factory at most once per run, always with the same
 *       {@link BackendContext}. Drivers of one backend may share state (one OVSDB connection, one
 *       Guice injector) through this instance, which is the natural place to memoize it.</li>
 *   <li>A driver that also implements {@link AutoCloseable} is closed when the agent stops; closing
 *       must leave the data plane as it is (pods keep their connectivity across agent restarts).</li>
 * </ul>
 */
public interface TrellisBackend {

    /**
     * The name administrators write in the configuration: lower case letters, digits and dashes
     * ({@code ovs}, {@code host-local}); unique among the backends on the agent's class path.
     */
    String name();

    /**
     * The top-level keys this backend accepts in its own configuration section
     * ({@code settings.<name>}); the agent rejects any other key at start, so that a misspelt
     * setting is an error instead of a silently ignored line. Empty: the backend takes no settings.
     */
    default Set<String> settingKeys() {
        return Set.of();
    }

    /** Allocates pod addresses. */
    default Optional<IpamDriverFactory> ipam() {
        return Optional.empty();
    }

    /** Connects a pod's network interface to the data plane. */
    default Optional<PodInterfaceDriverFactory> podInterface() {
        return Optional.empty();
    }

    /** Makes other nodes' pod CIDRs reachable (overlay tunnels or routes). */
    default Optional<NodeRouteDriverFactory> nodeRoutes() {
        return Optional.empty();
    }

    /** Load-balances Service virtual IPs to their endpoints. */
    default Optional<ServiceProxyFactory> serviceProxy() {
        return Optional.empty();
    }

    /** Enforces network policy on the node's pods. */
    default Optional<PolicyEnforcerFactory> policy() {
        return Optional.empty();
    }

    /**
     * Removes what this backend put on the node outside the pods it attached (bridges, tunnel
     * ports, kernel routes, iptables chains, an uplink address it moved) and puts back what it
     * changed, so the node is as it was before the first agent start. Called by
     * {@code trellis-agent --uninstall} while no agent runs; pods still attached lose their network.
     * Idempotent: a second call, or a call on a node the backend never touched, does nothing.
     * Default: the backend leaves nothing behind.
     *
     * @throws BackendConfigException for settings it cannot read
     */
    default void uninstall(UninstallContext context) {
    }
}
