package io.trellis.ovs.ovsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueCodecTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }

    @Test
    void atomsHaveTheirRfc7047Notation() throws Exception {
        assertThat(WireJson.wire(ValueCodec.toJson(Atom.of("br-int")))).isEqualTo(json("\"br-int\""));
        assertThat(WireJson.wire(ValueCodec.toJson(Atom.of(42)))).isEqualTo(json("42"));
        assertThat(WireJson.wire(ValueCodec.toJson(Atom.of(-1L)))).isEqualTo(json("-1"));
        assertThat(WireJson.wire(ValueCodec.toJson(Atom.of(1.5)))).isEqualTo(json("1.5"));
        assertThat(WireJson.wire(ValueCodec.toJson(Atom.of(true)))).isEqualTo(json("true"));
        assertThat(WireJson.wire(ValueCodec.toJson(Uuid.parse("36bd3d34-4a7f-4d0e-9a1e-1ea4b1f3a1c2"))))
                .isEqualTo(json("[\"uuid\",\"36bd3d34-4a7f-4d0e-9a1e-1ea4b1f3a1c2\"]"));
        assertThat(WireJson.wire(ValueCodec.toJson(new NamedUuid("row_1")))).isEqualTo(json("[\"named-uuid\",\"row_1\"]"));
    }

    @Test
    void setsAndMapsHaveTheirRfc7047Notation() throws Exception {
        assertThat(WireJson.wire(ValueCodec.toJson(OvsdbSet.empty()))).isEqualTo(json("[\"set\",[]]"));
        assertThat(WireJson.wire(ValueCodec.toJson(OvsdbSet.of(Atom.of("OpenFlow13"), Atom.of("OpenFlow15")))))
                .isEqualTo(json("[\"set\",[\"OpenFlow13\",\"OpenFlow15\"]]"));
        Map<String, String> options = new LinkedHashMap<>();
        options.put("remote_ip", "flow");
        options.put("key", "flow");
        assertThat(WireJson.wire(ValueCodec.toJson(OvsdbMap.ofStrings(options))))
                .isEqualTo(json("[\"map\",[[\"remote_ip\",\"flow\"],[\"key\",\"flow\"]]]"));
        assertThat(WireJson.wire(ValueCodec.toJson(OvsdbMap.empty()))).isEqualTo(json("[\"map\",[]]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "\"text\"", "0", "-9223372036854775808", "9223372036854775807", "2.5", "false",
            "[\"uuid\",\"550e8400-e29b-41d4-a716-446655440000\"]", "[\"named-uuid\",\"new_port\"]",
            "[\"set\",[]]", "[\"set\",[1,2,3]]",
            "[\"set\",[[\"uuid\",\"550e8400-e29b-41d4-a716-446655440000\"],[\"named-uuid\",\"p\"]]]",
            "[\"map\",[]]", "[\"map\",[[\"a\",\"b\"],[\"c\",\"d\"]]]", "[\"map\",[[1,[\"uuid\",\"550e8400-e29b-41d4-a716-446655440000\"]]]]"
    })
    void decodingThenEncodingGivesTheSameJson(String text) throws Exception {
        JsonNode original = json(text);
        Value value = ValueCodec.fromJson(original, "test");
        assertThat(WireJson.wire(ValueCodec.toJson(value))).isEqualTo(original);
        assertThat(ValueCodec.fromJson(ValueCodec.toJson(value), "test")).isEqualTo(value);
    }

    @Test
    void decodedTypesAreTheJavaTypes() throws Exception {
        assertThat(ValueCodec.fromJson(json("7"), "t")).isEqualTo(new Atom.Int(7));
        assertThat(ValueCodec.fromJson(json("7.0"), "t")).isEqualTo(new Atom.Real(7.0));
        assertThat(ValueCodec.fromJson(json("[\"set\",[\"a\"]]"), "t")).isInstanceOf(OvsdbSet.class);
        assertThat(ValueCodec.fromJson(json("[\"map\",[[\"k\",\"v\"]]]"), "t"))
                .isEqualTo(OvsdbMap.ofStrings(Map.of("k", "v")));
    }

    @Test
    void setEqualityIgnoresOrderButEncodingKeepsIt() throws Exception {
        OvsdbSet ab = (OvsdbSet) ValueCodec.fromJson(json("[\"set\",[\"a\",\"b\"]]"), "t");
        OvsdbSet ba = (OvsdbSet) ValueCodec.fromJson(json("[\"set\",[\"b\",\"a\"]]"), "t");
        assertThat(ab).isEqualTo(ba);
        assertThat(WireJson.wire(ValueCodec.toJson(ba))).isEqualTo(json("[\"set\",[\"b\",\"a\"]]"));
    }

    @Test
    void badInputNamesTheFieldAndTheValue() throws Exception {
        assertThatThrownBy(() -> ValueCodec.fromJson(json("[\"uuid\",\"not-a-uuid\"]"), "Bridge.ports"))
                .isInstanceOf(OvsdbProtocolException.class)
                .hasMessageContaining("Bridge.ports").hasMessageContaining("not-a-uuid");
        assertThatThrownBy(() -> ValueCodec.fromJson(json("18446744073709551616"), "Interface.ofport"))
                .isInstanceOf(OvsdbProtocolException.class)
                .hasMessageContaining("Interface.ofport").hasMessageContaining("18446744073709551616");
        assertThatThrownBy(() -> ValueCodec.fromJson(json("[\"set\",5]"), "Port.trunks"))
                .isInstanceOf(OvsdbProtocolException.class).hasMessageContaining("Port.trunks");
        assertThatThrownBy(() -> ValueCodec.fromJson(json("[\"map\",[[\"k\"]]]"), "Interface.options"))
                .isInstanceOf(OvsdbProtocolException.class).hasMessageContaining("pair 0");
        assertThatThrownBy(() -> ValueCodec.fromJson(json("{\"a\":1}"), "x.y"))
                .isInstanceOf(OvsdbProtocolException.class).hasMessageContaining("x.y");
        assertThatThrownBy(() -> new NamedUuid("1bad")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rowAccessorsAcceptTheBareAtomFormOfOneElementSets() throws Exception {
        Row row = Row.fromJson(json("""
                {"_uuid":["uuid","550e8400-e29b-41d4-a716-446655440000"],
                 "name":"tun0","ofport":["set",[]],"ofport_request":2,
                 "ports":["uuid","660e8400-e29b-41d4-a716-446655440000"],
                 "options":["map",[["remote_ip","flow"]]],"error":["set",["boom"]]}"""), "Interface");
        assertThat(row.uuid()).isEqualTo(Uuid.parse("550e8400-e29b-41d4-a716-446655440000"));
        assertThat(row.getString("name")).isEqualTo("tun0");
        assertThat(row.getOptionalInteger("ofport")).isEmpty();
        assertThat(row.getOptionalInteger("ofport_request")).contains(2L);
        assertThat(row.getUuidSet("ports")).containsExactly(Uuid.parse("660e8400-e29b-41d4-a716-446655440000"));
        assertThat(row.getStringMap("options")).containsExactly(Map.entry("remote_ip", "flow"));
        assertThat(row.getOptionalString("error")).contains("boom");
        assertThat(Row.fromJson(row.toJson(), "again")).isEqualTo(row);
        assertThatThrownBy(() -> row.getString("missing")).hasMessageContaining("missing");
    }
}
