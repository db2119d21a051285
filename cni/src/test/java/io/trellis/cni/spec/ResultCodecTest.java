package io.trellis.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.cni.json.JsonFieldException;
import io.trellis.cni.json.JsonObject;
import io.trellis.cni.json.JsonWriter;
import io.trellis.cni.model.CniResult;
import io.trellis.cni.model.IpLiteral;
import io.trellis.cni.testing.SampleResults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResultCodecTest {
    @Test
    void theNeutralFormRoundTripsEveryField() {
        CniResult r = SampleResults.dualStack("/var/run/netns/p");
        String wire = JsonWriter.write(ResultCodec.renderNeutral(r));
        assertThat(wire).doesNotContain("cniVersion").doesNotContain("\"version\"");
        assertThat(ResultCodec.parse(JsonObject.parse(wire, "result"))).isEqualTo(r);
    }

    @Test
    void olderVersionsDropTheFieldsTheyCannotExpress() {
        CniResult r = SampleResults.dualStack("/var/run/netns/p");
        String v031 = JsonWriter.write(ResultCodec.render(r, CniVersion.V0_3_1));
        assertThat(v031).startsWith("{\"cniVersion\":\"0.3.1\",\"interfaces\":[")
                .contains("{\"version\":\"4\",\"address\":\"10.10.1.5/24\",\"gateway\":\"10.10.1.1\",\"interface\":1}")
                .contains("{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.10.1.1\"}")
                .doesNotContain("mtu").doesNotContain("advmss");
        String v110 = JsonWriter.write(ResultCodec.render(r, CniVersion.V1_1_0));
        assertThat(v110).contains("\"mtu\":1450")
                .contains("{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.10.1.1\",\"mtu\":1400,\"advmss\":1360,\"priority\":10,\"table\":254,\"scope\":0}")
                .doesNotContain("\"version\"");
    }

    @Test
    void aPrevResultWithAnInterfaceIndexOutOfRangeIsRejectedWithItsPath() {
        JsonObject prev = JsonObject.parse("{\"interfaces\": [{\"name\": \"eth0\"}], \"ips\": [{\"address\": \"10.0.0.2/24\","
                + " \"interface\": 1}]}", "prevResult");
        assertThatThrownBy(() -> ResultCodec.parse(prev)).isInstanceOf(JsonFieldException.class)
                .hasMessage("field 'ips[0].interface': index 1 does not refer to one of the 1 interface(s)");
        JsonObject badMac = JsonObject.parse("{\"interfaces\": [{\"name\": \"eth0\", \"mac\": \"zz\"}]}", "prevResult");
        assertThatThrownBy(() -> ResultCodec.parse(badMac)).hasMessageContaining("field 'interfaces[0]': interface eth0: mac 'zz'");
        JsonObject badPrefix = JsonObject.parse("{\"routes\": [{\"dst\": \"10.0.0.0/33\"}]}", "prevResult");
        assertThatThrownBy(() -> ResultCodec.parse(badPrefix))
                .hasMessage("field 'routes[0].dst': '10.0.0.0/33': prefix length must be 0..32");
    }

    @ParameterizedTest
    @CsvSource({"fd00:10:1:0:0:0:0:5, fd00:10:1::5", "0:0:0:0:0:0:0:0, ::", "0:0:0:0:0:0:0:1, ::1",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1", "2001:0db8:0000:0001:0001:0001:0001:0001, 2001:db8:0:1:1:1:1:1",
            "fe80:0:0:0:0:0:0:0, fe80::", "1:0:0:2:0:0:0:3, 1:0:0:2::3", "10.0.0.1, 10.0.0.1"})
    void addressesAreWrittenInCanonicalForm(String in, String canonical) {
        assertThat(IpLiteral.format(IpLiteral.parse(in))).isEqualTo(canonical);
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.256", "10.0.0", "10.0.0.1.2", "010.0.0.1", "example.com", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "''"})
    void nonLiteralsAreRejectedWithoutAnyNameLookup(String text) {
        assertThatThrownBy(() -> IpLiteral.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "' is not an IP address");
    }
}
