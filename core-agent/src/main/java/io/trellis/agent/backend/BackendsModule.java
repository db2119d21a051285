package io.trellis.agent.backend;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.TypeLiteral;
import io.trellis.spi.ipam.IpamDriver;
import io.trellis.spi.node.NodeRouteDriver;
import io.trellis.spi.pod.PodInterfaceDriver;
import io.trellis.spi.policy.PolicyEnforcer;
import io.trellis.spi.service.ServiceProxy;
import java.util.Optional;

/**
 * Binds, per concern, the driver the configured backend made: {@link IpamDriver} and
 * {@link PodInterfaceDriver} directly, the optional concerns as {@code Optional<NodeRouteDriver>},
 * {@code Optional<ServiceProxy>} and {@code Optional<PolicyEnforcer>} (empty for {@code none}), and
 * {@link ConfiguredBackends} itself so that the agent can close them on shutdown.
 */
public final class BackendsModule extends AbstractModule {

    private final ConfiguredBackends backends;

    public BackendsModule(ConfiguredBackends backends) {
        this.backends = requireNonNull(backends, "backends");
    }

    @Override
    protected void configure() {
        bind(ConfiguredBackends.class).toInstance(backends);
        bind(IpamDriver.class).toInstance(backends.ipam());
        bind(PodInterfaceDriver.class).toInstance(backends.podInterface());
        bind(new TypeLiteral<Optional<NodeRouteDriver>>() { }).toInstance(backends.nodeRoutes());
        bind(new TypeLiteral<Optional<ServiceProxy>>() { }).toInstance(backends.serviceProxy());
        bind(new TypeLiteral<Optional<PolicyEnforcer>>() { }).toInstance(backends.policy());
    }
}
