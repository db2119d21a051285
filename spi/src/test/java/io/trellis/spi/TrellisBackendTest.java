package io.trellis.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.Mtu;
import io.trellis.spi.model.TunnelType;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrellisBackendTest {

    @Test
    void aBackendProvidesNothingItDoesNotDeclare() {
        TrellisBackend empty = () -> "empty";

        assertThat(empty.ipam()).isEmpty();
        assertThat(empty.podInterface()).isEmpty();
        assertThat(empty.nodeRoutes()).isEmpty();
        assertThat(empty.serviceProxy()).isEmpty();
        assertThat(empty.policy()).isEmpty();
        assertThat(empty.settingKeys()).isEmpty();
    }

    @Test
    void networkSettingsHoldOnePodCidrPerFamily() {
        IpPrefix v4 = IpPrefix.parse("10.244.1.0/24");
        IpPrefix v6 = IpPrefix.parse("fd00::/64");

        assertThat(new NetworkSettings(List.of(v4, v6), new Mtu.Auto(), TunnelType.GENEVE).podCidrs())
                .containsExactly(v4, v6);
        assertThatThrownBy(() -> new NetworkSettings(List.of(), new Mtu.Auto(), TunnelType.GENEVE))
                .hasMessage("a node needs at least one pod CIDR");
        assertThatThrownBy(() -> new NetworkSettings(List.of(v4, IpPrefix.parse("10.245.0.0/24")), new Mtu.Auto(),
                TunnelType.GENEVE)).hasMessage("pod CIDRs must be at most one per IP family, got [10.244.1.0/24, 10.245.0.0/24]");
        assertThatThrownBy(() -> new Mtu.Fixed(1279)).hasMessage("MTU must be 1280..65535, got 1279");
        assertThat(TunnelType.fromConfigName("vxlan")).contains(TunnelType.VXLAN);
        assertThat(TunnelType.fromConfigName("gre")).isEmpty();
        assertThat(TunnelType.GENEVE.udpPort()).isEqualTo(6081);
    }
}
