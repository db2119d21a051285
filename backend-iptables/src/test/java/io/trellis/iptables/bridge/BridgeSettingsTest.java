package io.trellis.iptables.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.BackendConfigException;
import io.trellis.spi.BackendSettings;
import io.trellis.spi.model.IpPrefix;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BridgeSettingsTest {

    private static BackendSettings section(Map<String, ?> values) {
        return BackendSettings.of("settings.linux-bridge", values);
    }

    @Test
    void anEmptySectionGivesTheDefaults() {
        BridgeSettings s = BridgeSettings.from(BackendSettings.empty("settings.linux-bridge"));
        assertThat(s).isEqualTo(BridgeSettings.defaults());
        assertThat(s.bridge()).isEqualTo("trellis0");
        assertThat(s.clusterCidr()).isEmpty();
        assertThat(s.masquerade()).isTrue();
    }

    @Test
    void readsEveryKey() {
        BridgeSettings s = BridgeSettings.from(section(Map.of("bridge", "cbr0", "clusterCidr", "10.244.0.0/16",
                "masquerade", false)));
        assertThat(s).isEqualTo(new BridgeSettings("cbr0", Optional.of(IpPrefix.parse("10.244.0.0/16")), false));
        assertThat(BridgeSettings.KEYS).containsExactlyInAnyOrder("bridge", "clusterCidr", "masquerade");
    }

    @Test
    void aBadBridgeNameIsNamedWithItsValue() {
        assertThatThrownBy(() -> BridgeSettings.from(section(Map.of("bridge", "a-much-too-long-name"))))
                .isInstanceOf(BackendConfigException.class)
                .hasMessageStartingWith("settings.linux-bridge.bridge: 'a-much-too-long-name' is not a valid interface name");
        assertThatThrownBy(() -> BridgeSettings.from(section(Map.of("bridge", "br 0"))))
                .isInstanceOf(BackendConfigException.class)
                .hasMessageStartingWith("settings.linux-bridge.bridge: 'br 0' is not a valid interface name");
        assertThatThrownBy(() -> BridgeSettings.from(section(Map.of("bridge", 5))))
                .isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.linux-bridge.bridge: expected a string, got integer 5");
    }

    @Test
    void aBadClusterCidrIsNamedWithItsValue() {
        assertThatThrownBy(() -> BridgeSettings.from(section(Map.of("clusterCidr", "10.244.0.0"))))
                .isInstanceOf(BackendConfigException.class)
                .hasMessageStartingWith("settings.linux-bridge.clusterCidr: '10.244.0.0' is not a CIDR");
        assertThatThrownBy(() -> BridgeSettings.from(section(Map.of("clusterCidr", "10.244.0.1/16"))))
                .isInstanceOf(BackendConfigException.class)
                .hasMessageStartingWith("settings.linux-bridge.clusterCidr: '10.244.0.1/16' is not a CIDR")
                .hasMessageContaining("host bits set");
        assertThatThrownBy(() -> BridgeSettings.from(section(Map.of("clusterCidr", "fd00:10::/48"))))
                .isInstanceOf(BackendConfigException.class)
                .hasMessageStartingWith("settings.linux-bridge.clusterCidr: 'fd00:10::/48' is not an IPv4 CIDR");
    }

    @Test
    void masqueradeMustBeABoolean() {
        assertThatThrownBy(() -> BridgeSettings.from(section(Map.of("masquerade", "yes"))))
                .isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.linux-bridge.masquerade: expected a boolean, got string 'yes'");
    }

    @Test
    void theClusterCidrMustContainThePodCidr() {
        BridgeSettings s = BridgeSettings.from(section(Map.of("clusterCidr", "10.244.0.0/16")));
        s.requireClusterContains(IpPrefix.parse("10.244.7.0/24"), "settings.linux-bridge");
        assertThatThrownBy(() -> s.requireClusterContains(IpPrefix.parse("10.245.7.0/24"), "settings.linux-bridge"))
                .isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.linux-bridge.clusterCidr: 10.244.0.0/16 does not contain this node's pod CIDR 10.245.7.0/24");
        assertThatThrownBy(() -> s.requireClusterContains(IpPrefix.parse("10.244.0.0/15"), "settings.linux-bridge"))
                .isInstanceOf(BackendConfigException.class)
                .hasMessageContaining("does not contain this node's pod CIDR 10.244.0.0/15");
        // Without a cluster CIDR there is nothing to check.
        BridgeSettings.defaults().requireClusterContains(IpPrefix.parse("10.245.7.0/24"), "settings.linux-bridge");
    }
}
