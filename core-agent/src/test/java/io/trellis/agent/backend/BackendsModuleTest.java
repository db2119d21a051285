package io.trellis.agent.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.trellis.agent.config.AgentConfig;
import io.trellis.agent.config.AgentConfigLoader;
import io.trellis.agent.config.ConfigException;
import io.trellis.agent.testing.StubDrivers;
import io.trellis.spi.BackendContext;
import io.trellis.spi.ipam.IpamDriver;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.Mtu;
import io.trellis.spi.model.TunnelType;
import io.trellis.spi.node.NodeRouteDriver;
import io.trellis.spi.pod.PodInterfaceDriver;
import io.trellis.spi.policy.PolicyEnforcer;
import io.trellis.spi.service.ServiceProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendsModuleTest {

    @TempDir
    Path dir;

    private final BackendRegistry registry = BackendRegistry.discover(getClass().getClassLoader());

    private AgentConfig config(String backendsAndSettings) {
        return new AgentConfigLoader(registry).parse("""
                nodeName:
                  from: fixed
                  value: node-a
                network:
                  mtu: 1400
                  podCidr: 10.244.3.0/24
                  tunnelType: vxlan
                paths:
                  stateDir: %s/state
                  runDir: %s/run
                """.formatted(dir, dir) + backendsAndSettings, "test.yaml");
    }

    private ConfiguredBackends create(AgentConfig config) {
        NodeFacts facts = NodeFacts.resolve(config, Map.of(), () -> "unused", () -> {
            throw new AssertionError("the pod CIDR is fixed in the file");
        });
        return ConfiguredBackends.create(config, registry, facts);
    }

    @Test
    void bindsTheDriverOfTheConfiguredBackendPerConcern() {
        ConfiguredBackends backends = create(config("""
                backends:
                  ipam: host-local
                  podInterface: ovs
                  nodeRoutes: ovs
                  serviceProxy: test-proxy
                  policy: none
                settings:
                  host-local:
                    reserved: 3
                  ovs:
                    datapathType: netdev
                """));
        Injector injector = Guice.createInjector(new BackendsModule(backends));

        IpamDriver ipam = injector.getInstance(IpamDriver.class);
        PodInterfaceDriver pod = injector.getInstance(PodInterfaceDriver.class);
        Optional<NodeRouteDriver> routes = injector.getInstance(Key.get(new TypeLiteral<Optional<NodeRouteDriver>>() { }));
        Optional<ServiceProxy> proxy = injector.getInstance(Key.get(new TypeLiteral<Optional<ServiceProxy>>() { }));
        Optional<PolicyEnforcer> policy = injector.getInstance(Key.get(new TypeLiteral<Optional<PolicyEnforcer>>() { }));

        assertThat(ipam).isInstanceOf(StubDrivers.Ipam.class);
        assertThat(pod).isInstanceOf(StubDrivers.PodAndRoutes.class);
        assertThat(routes).containsSame((NodeRouteDriver) pod);
        assertThat(proxy).get().isInstanceOf(StubDrivers.Proxy.class);
        assertThat(policy).isEmpty();
        assertThat(injector.getInstance(ConfiguredBackends.class)).isSameAs(backends);

        BackendContext ipamContext = ((StubDrivers.Made) ipam).context();
        assertThat(ipamContext.backendName()).isEqualTo("host-local");
        assertThat(ipamContext.nodeName()).isEqualTo("node-a");
        assertThat(ipamContext.settings().integer("reserved")).hasValue(3);
        assertThat(ipamContext.stateDir()).isEqualTo(dir.resolve("state/backends/host-local")).isDirectory();
        assertThat(ipamContext.runDir()).isEqualTo(dir.resolve("run/backends/host-local")).isDirectory();
        assertThat(ipamContext.network().podCidrs()).containsExactly(IpPrefix.parse("10.244.3.0/24"));
        assertThat(ipamContext.network().mtu()).isEqualTo(new Mtu.Fixed(1400));
        assertThat(ipamContext.network().tunnelType()).isEqualTo(TunnelType.VXLAN);

        BackendContext ovsContext = ((StubDrivers.Made) pod).context();
        assertThat(ovsContext.settings().string("datapathType")).contains("netdev");
        assertThat(ovsContext.settings().string("integrationBridge")).contains("br-int");
        assertThat(backends.contexts()).containsOnlyKeys("host-local", "ovs", "test-proxy");
        assertThat(Files.exists(dir.resolve("state/backends/test-proxy"))).isTrue();
    }

    @Test
    void optionalConcernsSetToNoneAreBoundEmpty() {
        ConfiguredBackends backends = create(config("""
                backends:
                  ipam: host-local
                  podInterface: ovs
                """));
        Injector injector = Guice.createInjector(new BackendsModule(backends));

        assertThat(injector.getInstance(Key.get(new TypeLiteral<Optional<NodeRouteDriver>>() { }))).isEmpty();
        assertThat(injector.getInstance(Key.get(new TypeLiteral<Optional<ServiceProxy>>() { }))).isEmpty();
        assertThat(backends.contexts()).containsOnlyKeys("host-local", "ovs");
    }

    @Test
    void settingsErrorsOfEveryBackendAreReportedTogetherAndMadeDriversClosed() {
        AgentConfig config = config("""
                backends:
                  ipam: host-local
                  podInterface: ovs
                  serviceProxy: test-proxy
                  policy: test-proxy
                controller:
                  address: https://controller.example:10349
                  caFile: /etc/trellis/tls/ca.crt
                  tokenFile: /etc/trellis/agent-token
                settings:
                  host-local:
                    reserved: many
                  test-proxy:
                    mode: 3
                """);

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> create(config));

        assertThat(e.errors()).containsExactly(
                "settings.host-local.reserved: expected an integer, got string 'many'",
                "settings.test-proxy.mode: expected a string, got integer 3");
        assertThat(e).hasMessageStartingWith("invalid agent configuration backend settings:");
    }

    @Test
    void closingClosesEachDriverOnceEvenWhenItServesTwoConcerns() {
        ConfiguredBackends backends = create(config("""
                backends:
                  ipam: host-local
                  podInterface: ovs
                  nodeRoutes: ovs
                """));

        backends.close();

        assertThat(((StubDrivers.Made) backends.ipam()).closed()).isTrue();
        assertThat(((StubDrivers.Made) backends.podInterface()).closed()).isTrue();
        assertThat(List.of(backends.podInterface())).containsExactly((PodInterfaceDriver) backends.nodeRoutes().orElseThrow());
    }

    @Test
    void podCidrsFromTheNodeSpecWhenTheFileSaysSo() {
        AgentConfig config = new AgentConfigLoader(registry).parse("""
                backends:
                  ipam: host-local
                  podInterface: ovs
                """, "test.yaml");

        NodeFacts facts = NodeFacts.resolve(config, Map.of("NODE_NAME", "node-b"), () -> "unused",
                () -> List.of(IpPrefix.parse("10.244.9.0/24")));

        assertThat(facts).isEqualTo(new NodeFacts("node-b", List.of(IpPrefix.parse("10.244.9.0/24"))));
    }
}
