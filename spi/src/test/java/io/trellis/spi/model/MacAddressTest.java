package io.trellis.spi.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MacAddressTest {

    @Test
    void parsesFormatsAndRoundTripsBytes() {
        MacAddress mac = MacAddress.parse("0A:58:0a:F4:01:05");

        assertThat(mac.value()).isEqualTo(0x0a580af40105L);
        assertThat(mac).hasToString("0a:58:0a:f4:01:05");
        assertThat(MacAddress.of(mac.bytes())).isEqualTo(mac);
        assertThat(mac.bytes()).containsExactly(0x0a, 0x58, 0x0a, 0xf4, 0x01, 0x05);
        assertThat(mac.isMulticast()).isFalse();
        assertThat(MacAddress.parse("ff:ff:ff:ff:ff:ff").isMulticast()).isTrue();
        assertThat(MacAddress.parse("01:00:5e:00:00:01").isMulticast()).isTrue();
    }

    @Test
    void rejectsMalformedText() {
        for (String bad : new String[] {"0a:58:0a:f4:01", "0a:58:0a:f4:01:5", "0a-58-0a-f4-01-05", "0a:58:0a:f4:01:zz",
                "0a:58:0a:f4:01:05:"}) {
            assertThatThrownBy(() -> MacAddress.parse(bad))
                    .hasMessage("'" + bad + "' is not a MAC address (six hex octets separated by ':')");
        }
        assertThatThrownBy(() -> new MacAddress(1L << 48)).hasMessage("a MAC address is 48 bits, got 0x1000000000000");
        assertThatThrownBy(() -> MacAddress.of(new byte[5])).hasMessage("a MAC address is 6 bytes, got 5");
    }
}
