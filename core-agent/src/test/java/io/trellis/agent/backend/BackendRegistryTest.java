package io.trellis.agent.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.agent.testing.SecondOvsBackend;
import io.trellis.agent.testing.TestHostLocalBackend;
import io.trellis.agent.testing.TestOvsBackend;
import io.trellis.agent.testing.TestProxyBackend;
import io.trellis.spi.TrellisBackend;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendRegistryTest {

    @TempDir
    Path dir;

    @Test
    void discoversTheBackendsRegisteredInMetaInfServices() {
        BackendRegistry registry = BackendRegistry.discover(getClass().getClassLoader());

        assertThat(registry.names()).containsExactly("host-local", "ovs", "test-proxy");
        assertThat(registry.find("ovs")).get().isInstanceOf(TestOvsBackend.class);
        assertThat(registry.find("host-local")).get().isInstanceOf(TestHostLocalBackend.class);
        assertThat(registry.find("ovz")).isEmpty();
    }

    @Test
    void reportsWhatEachBackendProvides() {
        assertThat(BackendRegistry.concernsOf(new TestOvsBackend())).containsExactly("podInterface", "nodeRoutes",
                "serviceProxy");
        assertThat(BackendRegistry.concernsOf(new TestProxyBackend())).containsExactly("serviceProxy", "policy");
        assertThat(BackendRegistry.concernsOf(new SecondOvsBackend())).isEmpty();
    }

    @Test
    void twoJarsRegisteringTheSameNameAreAnError() throws IOException {
        ClassLoader loader = withExtraServices(SecondOvsBackend.class.getName());

        assertThatThrownBy(() -> BackendRegistry.discover(loader))
                .isInstanceOf(BackendDiscoveryException.class)
                .hasMessage("two backends are named 'ovs': io.trellis.agent.testing.TestOvsBackend and "
                        + "io.trellis.agent.testing.SecondOvsBackend");
    }

    @Test
    void aServicesFileNamingAMissingClassIsAnError() throws IOException {
        ClassLoader loader = withExtraServices("com.example.NoSuchBackend");

        assertThatThrownBy(() -> BackendRegistry.discover(loader))
                .isInstanceOf(BackendDiscoveryException.class)
                .hasMessageStartingWith("cannot load the backends listed in META-INF/services/io.trellis.spi.TrellisBackend:")
                .hasMessageContaining("com.example.NoSuchBackend");
    }

    @Test
    void invalidAndReservedNamesAreRejected() {
        assertThatThrownBy(() -> BackendRegistry.of(List.of(named("Open vSwitch"), named("none"), named("-x"))))
                .isInstanceOf(BackendDiscoveryException.class)
                .hasMessageContaining("has an invalid name 'Open vSwitch'")
                .hasMessageContaining("is named 'none', which means 'no backend' in the configuration")
                .hasMessageContaining("has an invalid name '-x'");
        assertThat(BackendRegistry.of(List.of(named("a"), named("b-2"))).names()).containsExactly("a", "b-2");
    }

    private ClassLoader withExtraServices(String className) throws IOException {
        Path services = dir.resolve("META-INF/services/" + TrellisBackend.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, className + "\n");
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }

    private static TrellisBackend named(String name) {
        return () -> name;
    }
}
