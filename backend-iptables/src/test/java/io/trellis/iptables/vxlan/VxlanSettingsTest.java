package io.trellis.iptables.vxlan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.BackendConfigException;
import io.trellis.spi.BackendSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VxlanSettingsTest {

    private static VxlanSettings read(Map<String, ?> values) {
        return VxlanSettings.from(BackendSettings.of("settings.vxlan", values));
    }

    @Test
    void defaultsWhenEmpty() {
        VxlanSettings s = VxlanSettings.from(BackendSettings.empty("settings.vxlan"));
        assertThat(s).isEqualTo(new VxlanSettings(false, 1, 4789, "trellis.vxlan"));
        assertThat(s).isEqualTo(VxlanSettings.defaults());
    }

    @Test
    void readsEveryKey() {
        assertThat(read(Map.of("hostGateway", true, "vni", 4242, "port", 8472, "device", "vx-pods")))
                .isEqualTo(new VxlanSettings(true, 4242, 8472, "vx-pods"));
        assertThat(read(Map.of("vni", 0, "port", 1)).vni()).isZero();
        assertThat(read(Map.of("vni", 16777215, "port", 65535)).port()).isEqualTo(65535);
        assertThat(VxlanSettings.KEYS).containsExactlyInAnyOrder("hostGateway", "vni", "port", "device");
    }

    @Test
    void wrongTypesNameTheSettingAndTheValue() {
        assertThatThrownBy(() -> read(Map.of("hostGateway", "yes"))).isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.vxlan.hostGateway: expected a boolean, got string 'yes'");
        assertThatThrownBy(() -> read(Map.of("vni", "one"))).isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.vxlan.vni: expected an integer, got string 'one'");
        assertThatThrownBy(() -> read(Map.of("port", 4789.5))).isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.vxlan.port: expected an integer, got number 4789.5");
        assertThatThrownBy(() -> read(Map.of("device", 7))).isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.vxlan.device: expected a string, got integer 7");
    }

    @Test
    void wrongValuesNameTheSettingAndTheValue() {
        assertThatThrownBy(() -> read(Map.of("vni", 16777216))).isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.vxlan.vni: must be 0..16777215, got 16777216");
        assertThatThrownBy(() -> read(Map.of("vni", -1))).isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.vxlan.vni: must be 0..16777215, got -1");
        assertThatThrownBy(() -> read(Map.of("port", 0))).isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.vxlan.port: must be 1..65535, got 0");
        assertThatThrownBy(() -> read(Map.of("port", 65536))).isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.vxlan.port: must be 1..65535, got 65536");
        assertThatThrownBy(() -> read(Map.of("device", "trellis.vxlan.v2")))
                .isInstanceOf(BackendConfigException.class)
                .hasMessageStartingWith("settings.vxlan.device: 'trellis.vxlan.v2' is not a valid interface name")
                .hasMessageContaining("16 bytes, max 15");
        assertThatThrownBy(() -> read(Map.of("device", "vx/0"))).isInstanceOf(BackendConfigException.class)
                .hasMessageStartingWith("settings.vxlan.device: 'vx/0' is not a valid interface name");
        assertThatThrownBy(() -> read(Map.of("device", ""))).isInstanceOf(BackendConfigException.class)
                .hasMessageStartingWith("settings.vxlan.device: '' is not a valid interface name");
    }

    @Test
    void unknownKeyIsRejected() {
        assertThatThrownBy(() -> read(Map.of("directRouting", true))).isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.vxlan.directRouting: unknown setting (known: [device, hostGateway, port, vni])");
    }
}
