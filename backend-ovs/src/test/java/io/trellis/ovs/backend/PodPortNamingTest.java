package io.trellis.ovs.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.pipeline.Ipv4Subnet;
import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PodPortNamingTest {

    private static PodAttachment attachment(String containerId, String ifName) {
        return new PodAttachment(containerId, ifName, new PodRef("default", "web"));
    }

    @Test
    void hostInterfaceIsTrPlusTheHashOfContainerIdAndIfName() throws Exception {
        String containerId = "2f6d1c5a8b9e4d3f";
        String expectedHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest((containerId + "/eth0").getBytes(StandardCharsets.UTF_8))).substring(0, 12);

        String name = PodPortNaming.hostInterface(attachment(containerId, "eth0"));

        assertThat(name).isEqualTo("tr" + expectedHash).hasSizeLessThanOrEqualTo(15);
    }

    @Test
    void hostInterfaceDependsOnContainerAndInterfaceButNotOnThePodName() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            names.add(PodPortNaming.hostInterface(attachment("container-" + i, "eth0")));
            names.add(PodPortNaming.hostInterface(attachment("container-" + i, "net1")));
        }
        assertThat(names).hasSize(1000);
        PodAttachment renamed = new PodAttachment("container-1", "eth0", new PodRef("other", "pod"));
        assertThat(PodPortNaming.hostInterface(renamed))
                .isEqualTo(PodPortNaming.hostInterface(attachment("container-1", "eth0")));
    }

    @Test
    void generatedMacIsLocallyAdministeredUnicastFromTheIp() {
        MacAddress mac = PodPortNaming.macFor(Ipv4Subnet.parseAddress("10.244.3.17"));

        assertThat(mac).isEqualTo(MacAddress.parse("0a:58:0a:f4:03:11"));
        assertThat(mac.isMulticast()).isFalse();
        assertThat((mac.value() >>> 40) & 0x02).as("locally administered bit").isEqualTo(0x02);
    }
}
