package io.trellis.iptables.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttachmentRecordTest {

    static final PodAttachment ATTACHMENT = new PodAttachment("c0ffee", "eth0", new PodRef("x", "a"));
    static final AttachmentRecord RECORD = new AttachmentRecord(ATTACHMENT, HostVethNaming.hostInterface(ATTACHMENT),
            Path.of("/var/run/netns/pod-a"), List.of("10.244.1.5/24", "10.244.1.6/24"), MacAddress.parse("0a:58:0a:f4:01:05"),
            1450);

    @Test
    void encodesAsKeyValueLinesAndDecodesBack() {
        String text = RECORD.encode();
        assertThat(text).isEqualTo("""
                # trellis linux-bridge pod attachment
                version=1
                containerId=c0ffee
                ifName=eth0
                podNamespace=x
                podName=a
                hostInterface=%s
                netns=/var/run/netns/pod-a
                mac=0a:58:0a:f4:01:05
                mtu=1450
                address=10.244.1.5/24
                address=10.244.1.6/24
                """.formatted(RECORD.hostInterface()));
        assertThat(AttachmentRecord.decode(text, "f")).isEqualTo(RECORD);
    }

    @Test
    void errorsNameTheFileTheFieldAndTheValue() {
        String good = RECORD.encode();
        assertThatThrownBy(() -> AttachmentRecord.decode(good.replace("mac=0a:58:0a:f4:01:05", "mac=0a:58"), "/s/tb1.attachment"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("/s/tb1.attachment: field 'mac': '0a:58': ");
        assertThatThrownBy(() -> AttachmentRecord.decode(good.replace("mtu=1450", "mtu=big"), "f"))
                .hasMessageStartingWith("f: field 'mtu': 'big': ");
        assertThatThrownBy(() -> AttachmentRecord.decode(good.replace("mtu=1450", "mtu=100"), "f"))
                .hasMessageStartingWith("f: field 'record': ''").hasMessageContaining("MTU must be 1280..65535, got 100");
        assertThatThrownBy(() -> AttachmentRecord.decode(good.replace("address=10.244.1.6/24", "address=pod-a/24"), "f"))
                .hasMessageStartingWith("f: field 'address': 'pod-a/24': ");
        assertThatThrownBy(() -> AttachmentRecord.decode(good.replace("address=10.244.1.6/24", "address=10.244.1.6"), "f"))
                .hasMessage("f: field 'address': '10.244.1.6': no prefix length");
        assertThatThrownBy(() -> AttachmentRecord.decode(good.replace("podName=a\n", ""), "f"))
                .hasMessageContaining("field 'podName' is missing");
        assertThatThrownBy(() -> AttachmentRecord.decode(good.replace("version=1", "version=2"), "f"))
                .hasMessage("f: field 'version': unsupported version 2 (this agent reads 1)");
        assertThatThrownBy(() -> AttachmentRecord.decode(good + "ifName=eth1\n", "f"))
                .hasMessage("f line 13: field 'ifName' repeated");
        assertThatThrownBy(() -> AttachmentRecord.decode(good + "garbage\n", "f"))
                .hasMessage("f line 13: expected key=value, got 'garbage'");
    }

    @Test
    void aValueWithALineBreakIsRefused() {
        AttachmentRecord bad = new AttachmentRecord(ATTACHMENT, RECORD.hostInterface(), Path.of("/run/netns/a\nmtu=9000"),
                RECORD.addresses(), RECORD.mac(), 1450);
        assertThatThrownBy(bad::encode).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attachment field 'netns' holds a line break: '/run/netns/a\nmtu=9000'");
    }

    @Test
    void aRecordNeedsAnAddressAndAValidMtu() {
        assertThatThrownBy(() -> new AttachmentRecord(ATTACHMENT, RECORD.hostInterface(), RECORD.netns(), List.of(),
                RECORD.mac(), 1450)).hasMessage("attachment c0ffee/eth0 has no address");
        assertThatThrownBy(() -> new AttachmentRecord(ATTACHMENT, "a-name-that-is-too-long", RECORD.netns(),
                RECORD.addresses(), RECORD.mac(), 1450)).hasMessageContaining("max 15");
    }
}
