package io.trellis.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendSettingsTest {

    private static BackendSettings sample() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("port", 179);
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", "bgp0");
        map.put("asn", 64512);
        map.put("big", 5_000_000_000L);
        map.put("ratio", 0.5);
        map.put("enabled", true);
        map.put("peers", List.of("192.0.2.1", "192.0.2.2"));
        map.put("listen", nested);
        return BackendSettings.of("settings.bgp", map);
    }

    @Test
    void typedAccessorsReturnTheValues() {
        BackendSettings s = sample();

        assertThat(s.keys()).containsExactly("name", "asn", "big", "ratio", "enabled", "peers", "listen");
        assertThat(s.string("name")).contains("bgp0");
        assertThat(s.requireString("name")).isEqualTo("bgp0");
        assertThat(s.integer("asn")).hasValue(64512);
        assertThat(s.integer("big")).hasValue(5_000_000_000L);
        assertThat(s.bool("enabled")).contains(true);
        assertThat(s.stringList("peers")).containsExactly("192.0.2.1", "192.0.2.2");
        assertThat(s.stringList("absent")).isEmpty();
        assertThat(s.section("listen").orElseThrow().integer("port")).hasValue(179);
        assertThat(s.section("listen").orElseThrow().path()).isEqualTo("settings.bgp.listen");
        assertThat(s.raw("ratio")).contains(0.5);
        assertThat(s.string("absent")).isEmpty();
        assertThat(s.toMap()).containsEntry("listen", Map.of("port", 179L));
    }

    @Test
    void wrongTypesNameThePathAndTheValue() {
        BackendSettings s = sample();

        assertThatThrownBy(() -> s.string("asn")).isInstanceOf(BackendConfigException.class)
                .hasMessage("settings.bgp.asn: expected a string, got integer 64512");
        assertThatThrownBy(() -> s.integer("name")).hasMessage("settings.bgp.name: expected an integer, got string 'bgp0'");
        assertThatThrownBy(() -> s.bool("ratio")).hasMessage("settings.bgp.ratio: expected a boolean, got number 0.5");
        assertThatThrownBy(() -> s.section("peers"))
                .hasMessage("settings.bgp.peers: expected a section (key: value lines), got a list");
        assertThatThrownBy(() -> s.stringList("name")).hasMessage("settings.bgp.name: expected a list, got string 'bgp0'");
    }

    @Test
    void rangeAndPresenceChecks() {
        BackendSettings s = sample();
        assertThat(s.integer("asn", 1, 65535)).hasValue(64512);
        assertThatThrownBy(() -> s.integer("asn", 1, 1000)).hasMessage("settings.bgp.asn: must be 1..1000, got 64512");
        assertThatThrownBy(() -> s.requireString("router")).hasMessage("settings.bgp.router: required, but not set");
        assertThatThrownBy(() -> BackendSettings.of("settings.x", Map.of("l", List.of("a", 1))).stringList("l"))
                .hasMessage("settings.x.l[1]: expected a string, got integer 1");
    }

    @Test
    void unsupportedValuesAreRejectedWhenBuilt() {
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("a", null);
        assertThatThrownBy(() -> BackendSettings.of("settings.x", withNull)).hasMessage("settings.x.a: has no value");
        assertThatThrownBy(() -> BackendSettings.of("settings.x", Map.of("n", Map.of(1, "v"))))
                .hasMessage("settings.x.n: keys must be strings, got integer 1");
        assertThatThrownBy(() -> BackendSettings.of("settings.x", Map.of("l", List.of(new Object() {
            @Override
            public String toString() {
                return "thing";
            }
        })))).hasMessageStartingWith("settings.x.l[0]: unsupported value");
    }

    @Test
    void isReadOnly() {
        BackendSettings s = sample();
        assertThatThrownBy(() -> s.toMap().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(BackendSettings.empty("settings.y").isEmpty()).isTrue();
    }
}
