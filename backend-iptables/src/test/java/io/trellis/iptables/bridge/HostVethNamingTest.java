package io.trellis.iptables.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class HostVethNamingTest {

    private static final PodAttachment A = new PodAttachment("0123456789abcdef", "eth0", new PodRef("x", "a"));

    @Test
    void theHostNameIsTbAndTwelveHexDigitsOfTheAttachmentHash() throws Exception {
        String expected = "tb" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("0123456789abcdef/eth0".getBytes(StandardCharsets.UTF_8))).substring(0, 12);
        assertThat(HostVethNaming.hostInterface(A)).isEqualTo(expected).hasSize(14);
        assertThat(HostVethNaming.isHostInterface(expected)).isTrue();
    }

    @Test
    void theNameDependsOnContainerAndInterfaceOnlyNotOnThePod() {
        String a = HostVethNaming.hostInterface(A);
        assertThat(HostVethNaming.hostInterface(new PodAttachment("0123456789abcdef", "eth0", new PodRef("y", "b"))))
                .isEqualTo(a);
        assertThat(HostVethNaming.hostInterface(new PodAttachment("0123456789abcdef", "net1", new PodRef("x", "a"))))
                .isNotEqualTo(a);
        assertThat(HostVethNaming.hostInterface(new PodAttachment("0123456789abcdee", "eth0", new PodRef("x", "a"))))
                .isNotEqualTo(a);
    }

    @Test
    void recognisesOnlyItsOwnNames() {
        assertThat(HostVethNaming.isHostInterface("tb0123456789ab")).isTrue();
        assertThat(HostVethNaming.isHostInterface("tb0123456789a")).isFalse();
        assertThat(HostVethNaming.isHostInterface("tr0123456789ab")).isFalse();
        assertThat(HostVethNaming.isHostInterface("tb0123456789AB")).isFalse();
        assertThat(HostVethNaming.isHostInterface("tb0123456789xz")).isFalse();
        assertThat(HostVethNaming.isHostInterface("trellis0")).isFalse();
    }

    @Test
    void theDefaultMacIs0a58AndTheIpv4Address() throws Exception {
        MacAddress mac = HostVethNaming.macFor((Inet4Address) InetAddress.getByName("10.244.1.17"));
        assertThat(mac).isEqualTo(MacAddress.parse("0a:58:0a:f4:01:11"));
        assertThat(mac.isMulticast()).isFalse();
    }
}
