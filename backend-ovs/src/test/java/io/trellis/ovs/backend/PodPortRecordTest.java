package io.trellis.ovs.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.pipeline.Ipv4Subnet;
import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodPortRecordTest {

    private final PodPortRecord record = new PodPortRecord(
            new PodAttachment("abc123", "eth0", new PodRef("shop", "cart-7")), "tr0123456789ab",
            Path.of("/var/run/netns/cni-1234"), Ipv4Subnet.parseAddress("10.244.1.9"), MacAddress.parse("0a:58:0a:f4:01:09"));

    @Test
    void externalIdsRoundTrip() {
        Map<String, String> ids = record.toExternalIds();

        assertThat(ids).containsExactly(
                Map.entry("trellis.container-id", "abc123"),
                Map.entry("trellis.if-name", "eth0"),
                Map.entry("trellis.pod-namespace", "shop"),
                Map.entry("trellis.pod-name", "cart-7"),
                Map.entry("trellis.netns", "/var/run/netns/cni-1234"),
                Map.entry("trellis.ip", "10.244.1.9"),
                Map.entry("trellis.mac", "0a:58:0a:f4:01:09"));
        assertThat(PodPortRecord.fromExternalIds("tr0123456789ab", ids)).contains(record);
    }

    @Test
    void portsWithoutOurIdsAreNotOurs() {
        assertThat(PodPortRecord.fromExternalIds("trellis-gw0", Map.of("trellis.role", "gateway"))).isEmpty();
        assertThat(PodPortRecord.fromExternalIds("eth1", Map.of())).isEmpty();
    }

    @Test
    void malformedIdsNameThePortTheKeyAndTheValue() {
        Map<String, String> noIp = new HashMap<>(record.toExternalIds());
        noIp.remove("trellis.ip");
        assertThatThrownBy(() -> PodPortRecord.fromExternalIds("tr1", noIp))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port tr1: external_ids:trellis.ip is missing");

        Map<String, String> badMac = new HashMap<>(record.toExternalIds());
        badMac.put("trellis.mac", "0a:58:zz:00:00:01");
        assertThatThrownBy(() -> PodPortRecord.fromExternalIds("tr1", badMac))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port tr1: external_ids:trellis.mac is not a MAC address: '0a:58:zz:00:00:01'");

        Map<String, String> badIp = new HashMap<>(record.toExternalIds());
        badIp.put("trellis.ip", "fd00::9");
        assertThatThrownBy(() -> PodPortRecord.fromExternalIds("tr1", badIp))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port tr1: external_ids:trellis.ip is not an IPv4 address: 'fd00::9'");

        Map<String, String> emptyIfName = new HashMap<>(record.toExternalIds());
        emptyIfName.put("trellis.if-name", "");
        assertThatThrownBy(() -> PodPortRecord.fromExternalIds("tr1", emptyIfName))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("port tr1: invalid trellis external_ids")
                .hasMessageContaining("ifName must be 1..15 characters");
    }
}
