package io.trellis.agent.testing;

import io.trellis.spi.TrellisBackend;
import io.trellis.spi.policy.PolicyEnforcerFactory;
import io.trellis.spi.service.ServiceProxyFactory;
import java.util.Optional;
import java.util.Set;

/** A third-party-style backend providing Service proxying and policy only. */
public final class TestProxyBackend implements TrellisBackend {

    @Override
    public String name() {
        return "test-proxy";
    }

    @Override
    public Set<String> settingKeys() {
        return Set.of("mode");
    }

    @Override
    public Optional<ServiceProxyFactory> serviceProxy() {
        return Optional.of(context -> {
            context.settings().string("mode");
            return new StubDrivers.Proxy(context);
        });
    }

    @Override
    public Optional<PolicyEnforcerFactory> policy() {
        return Optional.of(StubDrivers.Policy::new);
    }
}
