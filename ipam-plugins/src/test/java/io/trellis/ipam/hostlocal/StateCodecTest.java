package io.trellis.ipam.hostlocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ipam.cidr.Cidr;
import io.trellis.ipam.cidr.IpLiterals;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateCodecTest {
    private final StateCodec codec = new StateCodec();
    private final PodAttachment attachment = new PodAttachment("c1", "eth0", new PodRef("ns", "web"));

    private static RangeAddress at(String cidr, String address) {
        return new RangeAddress(new HostRange(Cidr.parse(cidr)), IpLiterals.parse(address));
    }

    private StoredAllocation decode(String json) throws StateFormatException {
        return codec.decodeAllocation(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String doc(String addressEntry) {
        return "{\"version\":1,\"containerId\":\"c1\",\"ifName\":\"eth0\",\"pod\":{\"namespace\":\"ns\",\"name\":\"web\"},"
                + "\"addresses\":[" + addressEntry + "]}";
    }

    @Test
    void roundTripsADualStackAllocation() throws Exception {
        StoredAllocation allocation = new StoredAllocation(attachment,
                List.of(at("fd00::/64", "fd00::7"), at("10.244.1.0/24", "10.244.1.7")));
        byte[] bytes = codec.encodeAllocation(allocation);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"address\" : \"fd00::7\"", "\"gateway\" : \"10.244.1.1\"");
        assertThat(codec.decodeAllocation(bytes)).isEqualTo(allocation);
        assertThat(allocation.addressList()).isEqualTo("10.244.1.7,fd00::7");
    }

    @Test
    void acceptsTheDocumentedFormat() throws Exception {
        StoredAllocation decoded = decode(doc("{\"cidr\":\"10.244.1.0/24\",\"address\":\"10.244.1.7\",\"gateway\":\"10.244.1.1\"}"));
        assertThat(decoded).isEqualTo(new StoredAllocation(attachment, List.of(at("10.244.1.0/24", "10.244.1.7"))));
    }

    @Test
    void namesTheFieldThatIsWrong() {
        assertThatThrownBy(() -> decode(doc("{\"cidr\":\"10.244.1.0/24\",\"address\":\"10.244.1.255\",\"gateway\":\"10.244.1.1\"}")))
                .hasMessage("field 'addresses[0].address': 10.244.1.255 is not a pod address of 10.244.1.0/24 (gateway 10.244.1.1)");
        assertThatThrownBy(() -> decode(doc("{\"cidr\":\"10.244.1.0/24\",\"address\":\"10.244.1.7\",\"gateway\":\"10.244.1.254\"}")))
                .hasMessage("field 'addresses[0].gateway': 10.244.1.254 is not the gateway of 10.244.1.0/24 (10.244.1.1)");
        assertThatThrownBy(() -> decode(doc("{\"cidr\":\"10.244.1.0/24\",\"address\":7,\"gateway\":\"10.244.1.1\"}")))
                .hasMessage("field 'addresses[0].address': expected a string, got 7");
        assertThatThrownBy(() -> decode(doc("{\"cidr\":\"10.244.1.0/24\",\"address\":\"10.244.1.7\",\"gateway\":\"10.244.1.1\",\"x\":1}")))
                .hasMessage("unknown field 'addresses[0].x'");
        assertThatThrownBy(() -> decode(doc("")))
                .hasMessage("field 'addresses': expected a non-empty array, got []");
        assertThatThrownBy(() -> decode(doc("{\"cidr\":\"10.244.1.0/24\",\"address\":\"10.244.1.7\",\"gateway\":\"10.244.1.1\"}")
                .replace("\"ifName\":\"eth0\"", "\"ifName\":\"\"")))
                .hasMessage("field 'containerId/ifName': ifName must be 1..15 characters, got ''");
        assertThatThrownBy(() -> decode("[]")).hasMessage("expected a JSON object, got ARRAY");
        assertThatThrownBy(() -> decode("")).hasMessage("the file is empty");
    }

    @Test
    void twoAddressesOfOneFamilyAreRejected() {
        String entry = "{\"cidr\":\"10.244.1.0/24\",\"address\":\"10.244.1.7\",\"gateway\":\"10.244.1.1\"}";
        assertThatThrownBy(() -> decode(doc(entry + "," + entry.replace(".7", ".8"))))
                .hasMessage("field 'addresses': an allocation holds one address per family, got 10.244.1.7,10.244.1.8");
    }

    @Test
    void roundTripsCursors() throws Exception {
        Map<Cidr, java.net.InetAddress> cursors = Map.of(Cidr.parse("10.244.1.0/24"), IpLiterals.parse("10.244.1.9"),
                Cidr.parse("fd00::/64"), IpLiterals.parse("fd00::9"));
        assertThat(codec.decodeCursors(codec.encodeCursors(cursors))).isEqualTo(cursors);
    }
}
