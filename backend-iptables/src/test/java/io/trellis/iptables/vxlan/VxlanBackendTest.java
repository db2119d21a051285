package io.trellis.iptables.vxlan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.BackendConfigException;
import io.trellis.spi.BackendContext;
import io.trellis.spi.BackendSettings;
import io.trellis.spi.NetworkSettings;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.Mtu;
import io.trellis.spi.model.TunnelType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VxlanBackendTest {

    private static BackendContext context(Map<String, ?> settings, List<String> podCidrs) {
        return new BackendContext("vxlan", "node-1", BackendSettings.of("settings.vxlan", settings), Path.of("/nonexistent/state"),
                Path.of("/nonexistent/run"), new NetworkSettings(podCidrs.stream().map(IpPrefix::parse).toList(),
                        new Mtu.Auto(), TunnelType.VXLAN));
    }

    @Test
    void providesNodeRoutesOnly() {
        VxlanBackend backend = new VxlanBackend();
        assertThat(backend.name()).isEqualTo("vxlan");
        assertThat(backend.settingKeys()).isEqualTo(VxlanSettings.KEYS);
        assertThat(backend.nodeRoutes()).isPresent();
        assertThat(backend.podInterface()).isEmpty();
        assertThat(backend.serviceProxy()).isEmpty();
        assertThat(backend.policy()).isEmpty();
        assertThat(backend.ipam()).isEmpty();
    }

    @Test
    void factoryRejectsBadSettingsAndIpv6OnlyNodes() {
        VxlanBackend backend = new VxlanBackend();
        assertThatThrownBy(() -> backend.nodeRoutes().orElseThrow().create(context(Map.of("vni", "x"), List.of("10.20.1.0/24"))))
                .isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.vxlan.vni: expected an integer, got string 'x'");
        assertThatThrownBy(() -> backend.nodeRoutes().orElseThrow().create(context(Map.of(), List.of("fd10:1::/64"))))
                .isInstanceOf(BackendConfigException.class)
                .hasMessage("network.podCidr: the vxlan backend needs an IPv4 pod CIDR, got [fd10:1:0:0:0:0:0:0/64]");
    }
}
