package io.trellis.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.trellis.agent.backend.BackendRegistry;
import io.trellis.agent.testing.StubDrivers;
import io.trellis.spi.TrellisBackend;
import io.trellis.spi.ipam.IpamDriverFactory;
import io.trellis.spi.node.NodeRouteDriverFactory;
import io.trellis.spi.pod.PodInterfaceDriverFactory;
import io.trellis.spi.policy.PolicyEnforcerFactory;
import io.trellis.spi.service.ServiceProxyFactory;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackendPresetsTest {

    private static final String CONTROLLER = """
            controller:
              address: https://10.96.0.10:10349
              caFile: /etc/trellis/ca.crt
              tokenFile: /etc/trellis/token
            """;

    /** Names one concern-providing backend; which factory it hands out does not matter to the loader. */
    private record Named(String name, boolean hasIpam, boolean hasPod, boolean hasRoutes, boolean hasProxy, boolean hasPolicy)
            implements TrellisBackend {
        @Override
        public Optional<IpamDriverFactory> ipam() {
            return hasIpam ? Optional.of(StubDrivers.Ipam::new) : Optional.empty();
        }

        @Override
        public Optional<PodInterfaceDriverFactory> podInterface() {
            return hasPod ? Optional.of(StubDrivers.PodAndRoutes::new) : Optional.empty();
        }

        @Override
        public Optional<NodeRouteDriverFactory> nodeRoutes() {
            return hasRoutes ? Optional.of(StubDrivers.PodAndRoutes::new) : Optional.empty();
        }

        @Override
        public Optional<ServiceProxyFactory> serviceProxy() {
            return hasProxy ? Optional.of(StubDrivers.Proxy::new) : Optional.empty();
        }

        @Override
        public Optional<PolicyEnforcerFactory> policy() {
            return hasPolicy ? Optional.of(StubDrivers.Policy::new) : Optional.empty();
        }
    }

    private static AgentConfigLoader loader(TrellisBackend... backends) {
        return new AgentConfigLoader(BackendRegistry.of(List.of(backends)));
    }

    @Test
    void aPresetStandsForTheBackendOfEveryConcern() {
        AgentConfigLoader loader = loader(new Named("host-local", true, false, false, false, false),
                new Named("linux-bridge", false, true, false, false, false),
                new Named("vxlan", false, false, true, false, false),
                new Named("iptables", false, false, false, true, false));

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> loader.parse("backends: iptables\n" + CONTROLLER, "t.yaml"));

        // Expanded to {host-local, linux-bridge, vxlan, iptables, iptables}: everything checks out except the
        // policy concern, which this registry's iptables backend does not provide; the error names the preset.
        assertThat(e.errors()).containsExactly("backends (preset 'iptables').policy: backend 'iptables' does not "
                + "provide policy (it provides: serviceProxy)");
    }

    @Test
    void aPresetWhoseBackendsAreAllPresentReadsAsTheWrittenOutSection() {
        AgentConfigLoader loader = loader(new Named("host-local", true, false, false, false, false),
                new Named("ovs", false, true, true, true, true));

        AgentConfig preset = loader.parse("backends: ovs\n" + CONTROLLER, "t.yaml");
        AgentConfig written = loader.parse("""
                backends:
                  ipam: host-local
                  podInterface: ovs
                  nodeRoutes: ovs
                  serviceProxy: ovs
                  policy: ovs
                """ + CONTROLLER, "t.yaml");

        assertThat(preset.backends()).isEqualTo(written.backends())
                .isEqualTo(new Backends("host-local", "ovs", Optional.of("ovs"), Optional.of("ovs"), Optional.of("ovs")));
    }

    @Test
    void aPresetWithAPolicyBackendStillNeedsTheControllerSection() {
        AgentConfigLoader loader = loader(new Named("host-local", true, false, false, false, false),
                new Named("ovs", false, true, true, true, true));

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse("backends: ovs\n", "t.yaml"));

        assertThat(e.errors()).singleElement().asString().startsWith("controller: required with backends.policy 'ovs'");
    }

    @Test
    void anUnknownPresetListsTheKnownOnes() {
        AgentConfigLoader loader = loader(new Named("host-local", true, false, false, false, false));

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> loader.parse("backends: kernel\n", "t.yaml"));

        assertThat(e.errors()).containsExactly("backends: unknown preset 'kernel' (presets: iptables, ovs; or a "
                + "section naming the backend of each concern)");
    }

    @Test
    void presetsExpandToEveryConcernInOrder() {
        assertThat(BackendPresets.expand("iptables")).get().asString()
                .isEqualTo("{ipam=host-local, podInterface=linux-bridge, nodeRoutes=vxlan, serviceProxy=iptables, policy=iptables}");
        assertThat(BackendPresets.expand("ovs")).get().asString()
                .isEqualTo("{ipam=host-local, podInterface=ovs, nodeRoutes=ovs, serviceProxy=ovs, policy=ovs}");
        assertThat(BackendPresets.expand("none")).isEmpty();
    }
}
