package io.trellis.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.spi.BackendContext;
import io.trellis.spi.BackendSettings;
import io.trellis.spi.NetworkSettings;
import io.trellis.spi.TrellisBackend;
import io.trellis.spi.ipam.IpamAllocation;
import io.trellis.spi.ipam.IpamDriver;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.Mtu;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.TunnelType;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostLocalBackendTest {

    @TempDir
    Path dir;

    @Test
    void isFoundByServiceLoaderAndProvidesOnlyIpam() {
        List<TrellisBackend> backends = ServiceLoader.load(TrellisBackend.class).stream().map(ServiceLoader.Provider::get).toList();
        assertThat(backends).extracting(TrellisBackend::name).containsExactly("host-local");
        TrellisBackend backend = backends.get(0);
        assertThat(backend.ipam()).isPresent();
        assertThat(backend.podInterface()).isEmpty();
        assertThat(backend.nodeRoutes()).isEmpty();
        assertThat(backend.serviceProxy()).isEmpty();
        assertThat(backend.policy()).isEmpty();
        assertThat(backend.settingKeys()).isEmpty();
    }

    @Test
    void factoryAllocatesFromTheNodesPodCidrInTheBackendStateDir() throws Exception {
        BackendContext context = new BackendContext("host-local", "node-1", BackendSettings.empty("settings.host-local"),
                dir.resolve("state"), dir.resolve("run"),
                new NetworkSettings(List.of(IpPrefix.parse("10.244.3.0/24")), new Mtu.Auto(), TunnelType.GENEVE));
        IpamDriver driver = new HostLocalBackend().ipam().orElseThrow().create(context);
        try {
            IpamAllocation allocation = driver.allocate(new PodAttachment("c1", "eth0", new PodRef("ns", "p")));
            assertThat(allocation.addresses().get(0).cidr()).isEqualTo("10.244.3.2/24");
            assertThat(dir.resolve("state/allocations/10.244.3.2.json")).exists();
        } finally {
            assertThat(driver).isInstanceOf(AutoCloseable.class);
            ((AutoCloseable) driver).close();
        }
    }
}
