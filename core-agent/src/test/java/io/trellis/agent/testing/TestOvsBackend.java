package io.trellis.agent.testing;

import io.trellis.spi.BackendContext;
import io.trellis.spi.TrellisBackend;
import io.trellis.spi.node.NodeRouteDriverFactory;
import io.trellis.spi.pod.PodInterfaceDriverFactory;
import io.trellis.spi.service.ServiceProxyFactory;
import java.util.Optional;

/**
 * Stands in for the OVS backend: pod interfaces and node routes from one shared object, as the
 * real one shares its OVS connections, and a Service proxy (the shipped config names {@code ovs}
 * for all three). Its factories fail when {@code settings.ovs.datapathType}
 * is missing, which proves the agent hands it the effective values.
 */
public final class TestOvsBackend implements TrellisBackend {

    private StubDrivers.PodAndRoutes shared;

    @Override
    public String name() {
        return "ovs";
    }

    @Override
    public Optional<PodInterfaceDriverFactory> podInterface() {
        return Optional.of(this::shared);
    }

    @Override
    public Optional<NodeRouteDriverFactory> nodeRoutes() {
        return Optional.of(this::shared);
    }

    @Override
    public Optional<ServiceProxyFactory> serviceProxy() {
        return Optional.of(StubDrivers.Proxy::new);
    }

    private synchronized StubDrivers.PodAndRoutes shared(BackendContext context) {
        context.settings().requireString("datapathType");
        if (shared == null) {
            shared = new StubDrivers.PodAndRoutes(context);
        }
        return shared;
    }
}
