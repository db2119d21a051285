package io.trellis.ovs.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.ovsdb.DatapathType;
import io.trellis.spi.BackendConfigException;
import io.trellis.spi.BackendSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OvsSettingsTest {

    private static OvsSettings read(Map<String, Object> values) {
        return OvsSettings.from(BackendSettings.of("settings.ovs", values));
    }

    @Test
    void readsEveryKeyTheAgentHandsOver() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("datapathType", "netdev");
        values.put("integrationBridge", "br-pods");
        values.put("uplinkBridge", "br-up");
        values.put("ovsdbSocket", "/run/ovs/db.sock");
        values.put("runDir", "/run/ovs");
        values.put("netdev", Map.of("uplinkInterface", "eth1", "pmdCpuMask", "0x3"));

        OvsSettings s = read(values);

        assertThat(s).isEqualTo(new OvsSettings(DatapathType.NETDEV, "br-pods", "br-up", Path.of("/run/ovs/db.sock"),
                Path.of("/run/ovs"), Optional.of("eth1"), Optional.of("0x3")));
        assertThat(s.managementSocket("br-pods")).isEqualTo(Path.of("/run/ovs/br-pods.mgmt"));
    }

    @Test
    void appliesTheAgentsDefaultsToAnEmptySection() {
        assertThat(read(Map.of())).isEqualTo(OvsSettings.defaults(DatapathType.SYSTEM));
        assertThat(OvsSettings.defaults(DatapathType.SYSTEM).ovsdbSocket()).isEqualTo(Path.of("/var/run/openvswitch/db.sock"));
        assertThat(OvsSettings.defaults(DatapathType.SYSTEM).integrationBridge()).isEqualTo("br-int");
    }

    @Test
    void rejectsBadValuesNamingTheSettingAndValue() {
        assertThatThrownBy(() -> read(Map.of("datapathType", "dpdk")))
                .isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.ovs.datapathType: expected system or netdev, got 'dpdk'");
        assertThatThrownBy(() -> read(Map.of("datapathType", 3)))
                .isInstanceOf(BackendConfigException.class)
                .hasMessageContaining("settings.ovs.datapathType: expected a string, got integer 3");
        assertThatThrownBy(() -> read(Map.of("integrationBridge", "a-very-long-bridge-name")))
                .isInstanceOf(BackendConfigException.class)
                .hasMessageContaining("settings.ovs.integrationBridge: not a bridge name")
                .hasMessageContaining("'a-very-long-bridge-name'");
        assertThatThrownBy(() -> read(Map.of("integrationBridge", "br0", "uplinkBridge", "br0")))
                .isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.ovs.uplinkBridge: must differ from integrationBridge, both are 'br0'");
        assertThatThrownBy(() -> read(Map.of("runDir", "relative/dir")))
                .isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.ovs.runDir: must be an absolute path, got 'relative/dir'");
        assertThatThrownBy(() -> read(Map.of("bridge", "br0")))
                .isInstanceOf(BackendConfigException.class)
                .hasMessageStartingWith("settings.ovs.bridge: unknown setting");
        assertThatThrownBy(() -> read(Map.of("netdev", Map.of("pmdCpuMask", "0x3"))))
                .isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.ovs.netdev: only valid with datapathType netdev, got 'system'");
        assertThatThrownBy(() -> read(Map.of("datapathType", "netdev", "netdev", Map.of("pmdCpuMask", "cpus 1-2"))))
                .isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.ovs.netdev.pmdCpuMask: expected a hex CPU mask such as 0x3, got 'cpus 1-2'");
        assertThatThrownBy(() -> read(Map.of("datapathType", "netdev", "netdev", Map.of("uplink", "eth0"))))
                .isInstanceOf(BackendConfigException.class)
                .hasMessageStartingWith("settings.ovs.netdev.uplink: unknown setting");
    }
}
