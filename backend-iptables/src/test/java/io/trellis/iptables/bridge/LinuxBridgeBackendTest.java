package io.trellis.iptables.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.BackendConfigException;
import io.trellis.spi.TrellisBackend;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.Mtu;
import java.net.InetAddress;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class LinuxBridgeBackendTest {

    @Test
    void providesPodInterfacesOnlyUnderItsName() {
        TrellisBackend backend = new LinuxBridgeBackend();
        assertThat(backend.name()).isEqualTo("linux-bridge");
        assertThat(backend.settingKeys()).isEqualTo(BridgeSettings.KEYS);
        assertThat(backend.podInterface()).isPresent();
        assertThat(backend.ipam()).isEmpty();
        assertThat(backend.nodeRoutes()).isEmpty();
        assertThat(backend.serviceProxy()).isEmpty();
        assertThat(backend.policy()).isEmpty();
    }

    @Test
    void takesTheIpv4PodCidr() {
        IpPrefix v4 = IpPrefix.parse("10.244.3.0/24");
        assertThat(LinuxBridgeBackend.ipv4PodCidr(List.of(IpPrefix.parse("fd00:10:244:3::/64"), v4))).isEqualTo(v4);
        assertThatThrownBy(() -> LinuxBridgeBackend.ipv4PodCidr(List.of(IpPrefix.parse("fd00:10:244:3::/64"))))
                .isInstanceOf(BackendConfigException.class)
                .hasMessage("network.podCidr: the linux-bridge backend needs an IPv4 pod CIDR, got [fd00:10:244:3:0:0:0:0/64]");
        assertThatThrownBy(() -> LinuxBridgeBackend.ipv4PodCidr(List.of(IpPrefix.parse("10.244.3.4/31"))))
                .isInstanceOf(BackendConfigException.class)
                .hasMessageStartingWith("network.podCidr: 10.244.3.4/31 is too small");
    }

    @Test
    void onlyAFixedMtuGoesOnTheBridge() {
        assertThat(LinuxBridgeBackend.fixedMtu(new Mtu.Fixed(1400))).isEqualTo(OptionalInt.of(1400));
        assertThat(LinuxBridgeBackend.fixedMtu(new Mtu.Auto())).isEmpty();
    }

    @Test
    void theGatewayIsThePodCidrsFirstHostAddress() throws Exception {
        assertThat(BridgeNode.gatewayIp(IpPrefix.parse("10.244.3.0/24"))).isEqualTo(InetAddress.getByName("10.244.3.1"));
        assertThat(BridgeNode.gatewayIp(IpPrefix.parse("10.77.0.128/25"))).isEqualTo(InetAddress.getByName("10.77.0.129"));
        assertThatThrownBy(() -> BridgeNode.gatewayIp(IpPrefix.parse("10.0.0.0/31"))).hasMessageContaining("too small");
        assertThatThrownBy(() -> BridgeNode.gatewayIp(IpPrefix.parse("fd00::/64"))).hasMessageContaining("IPv4 pod CIDR");
    }
}
