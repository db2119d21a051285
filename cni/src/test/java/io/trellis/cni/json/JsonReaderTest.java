package io.trellis.cni.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonReaderTest {
    @Test
    void readsEveryKindOfValueKeepingMemberOrder() {
        Object v = JsonReader.parse(" {\"z\": 1, \"a\": [true, false, null, -2.5e3, \"s\\u00e9\\n\\\"\"], \"big\": 123456789012345678901,"
                + " \"o\": {}} ");
        assertThat(v).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        assertThat(m.keySet()).containsExactly("z", "a", "big", "o");
        assertThat(m.get("z")).isEqualTo(1L);
        assertThat(m.get("a")).isEqualTo(Arrays.asList(true, false, null, new BigDecimal("-2.5e3"), "sé\n\""));
        assertThat(m.get("big")).isEqualTo(new BigDecimal("123456789012345678901"));
        assertThat(m.get("o")).isEqualTo(Map.of());
    }

    @Test
    void errorsNameWhatWasFoundAndWhere() {
        assertThatThrownBy(() -> JsonReader.parse("{\n  \"a\": 1,\n  \"b\" 2}"))
                .isInstanceOf(JsonSyntaxException.class)
                .hasMessage("unexpected character '2', expected ':' after member name \"b\" at line 3, column 7");
        assertThatThrownBy(() -> JsonReader.parse("[1, 2")).hasMessage("unexpected end of input, expected ',' or ']' in array at line 1, column 6");
        assertThatThrownBy(() -> JsonReader.parse("{\"a\": 01}")).hasMessageContaining("unexpected character '1', expected ',' or '}'");
        assertThatThrownBy(() -> JsonReader.parse("\"tab\there\"")).hasMessageContaining("control character U+0009");
        assertThatThrownBy(() -> JsonReader.parse("{} x")).hasMessageContaining("unexpected character 'x' after the JSON value");
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":1,\"a\":2}")).hasMessage("duplicate member name \"a\" at line 1, column 8");
        assertThatThrownBy(() -> JsonReader.parse("tru")).hasMessageContaining("expected a JSON value");
        assertThatThrownBy(() -> JsonReader.parse("\"\\x\"")).hasMessageContaining("invalid escape character 'x'");
        assertThatThrownBy(() -> JsonReader.parse("")).hasMessageContaining("empty input");
        char[] deep = new char[200];
        Arrays.fill(deep, '[');
        assertThatThrownBy(() -> JsonReader.parse(new String(deep))).hasMessageContaining("nesting deeper than 128");
    }

    @Test
    void writerOutputReadsBackEqualAndHasNoLineBreaks() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", "line1\nline2\t\"q\" \\ \u0001 \u2028");
        m.put("n", List.of(1L, new BigDecimal("0.5"), true));
        m.put("none", null);
        String json = JsonWriter.write(m);
        assertThat(json).doesNotContain("\n").doesNotContain("\u2028");
        assertThat(JsonReader.parse(json)).isEqualTo(m);
    }

    @Test
    void typedAccessNamesThePathOfABadMember() {
        JsonObject o = JsonObject.parse("{\"ips\": [{\"address\": 5}], \"mtu\": 1.5, \"name\": \"x\"}", "config");
        JsonObject ip = o.optObjects("ips").get(0);
        assertThatThrownBy(() -> ip.requireString("address")).isInstanceOf(JsonFieldException.class)
                .hasMessage("field 'ips[0].address': expected a string, got number 5");
        assertThatThrownBy(() -> o.optInt("mtu")).hasMessage("field 'mtu': expected an integer, got number 1.5");
        assertThatThrownBy(() -> o.optObjects("name")).hasMessage("field 'name': expected an array, got string \"x\"");
        assertThatThrownBy(() -> JsonObject.parse("[]", "network config"))
                .hasMessage("field 'network config': expected a JSON object, got array []");
    }
}
