package io.trellis.iptables.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.BackendConfigException;
import io.trellis.spi.BackendSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxySettingsTest {

    @Test
    void defaultsToKubeProxysMarkBit() {
        ProxySettings settings = ProxySettings.from(BackendSettings.empty("settings.iptables"));
        assertThat(settings.masqueradeBit()).isEqualTo(14);
        assertThat(settings.mark()).isEqualTo("0x4000");
    }

    @Test
    void readsTheBitAndRejectsOutOfRangeOrMistypedValuesNamingThePath() {
        assertThat(ProxySettings.from(BackendSettings.of("settings.iptables", Map.of("masqueradeBit", 31))).mark())
                .isEqualTo("0x80000000");
        assertThatThrownBy(() -> ProxySettings.from(BackendSettings.of("settings.iptables", Map.of("masqueradeBit", 32))))
                .isInstanceOf(BackendConfigException.class).hasMessageContaining("settings.iptables.masqueradeBit")
                .hasMessageContaining("32");
        assertThatThrownBy(() -> ProxySettings.from(BackendSettings.of("settings.iptables", Map.of("masqueradeBit", "x"))))
                .isInstanceOf(BackendConfigException.class).hasMessageContaining("settings.iptables.masqueradeBit");
    }
}
