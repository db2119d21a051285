package io.trellis.agent.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.agent.config.AgentConfig;
import io.trellis.agent.config.ConfigException;
import io.trellis.spi.BackendConfigException;
import io.trellis.spi.BackendContext;
import io.trellis.spi.NetworkSettings;
import io.trellis.spi.TrellisBackend;
import io.trellis.spi.ipam.IpamDriver;
import io.trellis.spi.node.NodeRouteDriver;
import io.trellis.spi.pod.PodInterfaceDriver;
import io.trellis.spi.policy.PolicyEnforcer;
import io.trellis.spi.service.ServiceProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drivers of this agent, one per configured concern, each made by its backend's factory with
 * that backend's {@link BackendContext}. Created before the Guice injector so that every backend's
 * settings errors are reported together, as configuration errors are.
 *
 * @param ipam         the IPAM driver
 * @param podInterface the pod interface driver
 * @param nodeRoutes   the node route driver, unless {@code none}
 * @param serviceProxy the Service proxy, unless {@code none}
 * @param policy       the policy enforcer, unless {@code none}
 * @param contexts     the context handed to each used backend, by name
 */
public record ConfiguredBackends(
        IpamDriver ipam, PodInterfaceDriver podInterface, Optional<NodeRouteDriver> nodeRoutes,
        Optional<ServiceProxy> serviceProxy, Optional<PolicyEnforcer> policy, Map<String, BackendContext> contexts)
        implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfiguredBackends.class);

    public ConfiguredBackends {
        requireNonNull(ipam, "ipam");
        requireNonNull(podInterface, "podInterface");
        requireNonNull(nodeRoutes, "nodeRoutes");
        requireNonNull(serviceProxy, "serviceProxy");
        requireNonNull(policy, "policy");
        contexts = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(contexts, "contexts")));
    }

    /**
     * Creates the state and run directories of every used backend, then calls the factory of each
     * configured concern. Every {@link BackendConfigException} is collected into one
     * {@link ConfigException}; drivers already made are closed when that happens.
     */
    public static ConfiguredBackends create(AgentConfig config, BackendRegistry registry, NodeFacts node) {
        requireNonNull(config, "config");
        requireNonNull(registry, "registry");
        requireNonNull(node, "node");
        NetworkSettings network = new NetworkSettings(node.podCidrs(), config.network().mtu(), config.network().tunnelType());
        Map<String, BackendContext> contexts = new LinkedHashMap<>();
        for (String name : config.backends().used()) {
            Path state = directory(config.paths().stateDir().resolve("backends").resolve(name));
            Path run = directory(config.paths().runDir().resolve("backends").resolve(name));
            contexts.put(name, new BackendContext(name, node.nodeName(), config.settingsOf(name), state, run, network));
        }

        Set<String> errors = new LinkedHashSet<>();
        List<Object> made = new ArrayList<>();
        Creator creator = new Creator(config, registry, contexts, errors, made);
        Optional<IpamDriver> ipam = creator.make(Concern.IPAM, b -> b.ipam().map(f -> f::create));
        Optional<PodInterfaceDriver> pod = creator.make(Concern.POD_INTERFACE, b -> b.podInterface().map(f -> f::create));
        Optional<NodeRouteDriver> routes = creator.make(Concern.NODE_ROUTES, b -> b.nodeRoutes().map(f -> f::create));
        Optional<ServiceProxy> proxy = creator.make(Concern.SERVICE_PROXY, b -> b.serviceProxy().map(f -> f::create));
        Optional<PolicyEnforcer> policy = creator.make(Concern.POLICY, b -> b.policy().map(f -> f::create));
        if (!errors.isEmpty()) {
            closeAll(made);
            throw new ConfigException("backend settings", List.copyOf(errors));
        }
        return new ConfiguredBackends(ipam.orElseThrow(), pod.orElseThrow(), routes, proxy, policy, contexts);
    }

    /** Closes every driver that is {@link AutoCloseable}, each once even when it serves several concerns. */
    @Override
    public void close() {
        List<Object> drivers = new ArrayList<>(List.of(ipam, podInterface));
        nodeRoutes.ifPresent(drivers::add);
        serviceProxy.ifPresent(drivers::add);
        policy.ifPresent(drivers::add);
        closeAll(drivers);
    }

    private static void closeAll(List<Object> drivers) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Object driver : drivers) {
            if (driver instanceof AutoCloseable closeable && seen.add(driver)) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.warn("closing {} failed", driver.getClass().getName(), e);
                }
            }
        }
    }

    private static Path directory(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create backend directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Runs one concern's factory, recording settings errors instead of stopping at the first. */
    private record Creator(
            AgentConfig config, BackendRegistry registry, Map<String, BackendContext> contexts, Set<String> errors,
            List<Object> made) {

        <T> Optional<T> make(Concern concern, Function<TrellisBackend, Optional<Function<BackendContext, T>>> factoryOf) {
            Optional<String> name = config.backends().forConcern(concern);
            if (name.isEmpty()) {
                return Optional.empty();
            }
            TrellisBackend backend = registry.find(name.get()).orElseThrow(() -> new IllegalStateException(
                    "backend '" + name.get() + "' was validated but is not in " + registry));
            Function<BackendContext, T> factory = factoryOf.apply(backend).orElseThrow(() -> new IllegalStateException(
                    "backend '" + name.get() + "' was validated but does not provide " + concern.configKey()));
            try {
                T driver = requireNonNull(factory.apply(contexts.get(name.get())),
                        () -> "backend '" + name.get() + "' returned no " + concern.configKey() + " driver");
                made.add(driver);
                LOG.info("{}: backend {} ({})", concern.configKey(), name.get(), driver.getClass().getName());
                return Optional.of(driver);
            } catch (BackendConfigException e) {
                errors.add(e.getMessage());
                return Optional.empty();
            }
        }
    }
}
