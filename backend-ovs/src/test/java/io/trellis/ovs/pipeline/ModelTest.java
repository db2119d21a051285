package io.trellis.ovs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelTest {

    @Test
    void subnetParsesAndContains() {
        Ipv4Subnet s = Ipv4Subnet.parse("10.20.0.0/24");
        assertThat(s.prefixLength()).isEqualTo(24);
        assertThat(s.toString()).isEqualTo("10.20.0.0/24");
        assertThat(s.contains(Ipv4Subnet.parseAddress("10.20.0.255"))).isTrue();
        assertThat(s.contains(Ipv4Subnet.parseAddress("10.20.1.0"))).isFalse();
        assertThat(Ipv4Subnet.parse("0.0.0.0/0").contains(Ipv4Subnet.parseAddress("192.0.2.1"))).isTrue();
        assertThat(Ipv4Subnet.parse("192.0.2.7/32").contains(Ipv4Subnet.parseAddress("192.0.2.7"))).isTrue();
        assertThat(Ipv4Subnet.parse("192.0.2.7/32").contains(Ipv4Subnet.parseAddress("192.0.2.6"))).isFalse();
    }

    @Test
    void subnetRejectsBadText() {
        assertThatThrownBy(() -> Ipv4Subnet.parse("10.20.0.5/24"))
                .hasMessage("subnet 10.20.0.5/24: host bits are set (network address would be 10.20.0.0)");
        assertThatThrownBy(() -> Ipv4Subnet.parse("10.20.0.0")).hasMessageContaining("expected ADDRESS/PREFIX");
        assertThatThrownBy(() -> Ipv4Subnet.parse("10.20.0.0/33")).hasMessageContaining("prefix length: 33");
        assertThatThrownBy(() -> Ipv4Subnet.parse("10.20.0.0/x")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> Ipv4Subnet.parseAddress("10.256.0.1")).hasMessage("not an IPv4 address: '10.256.0.1'");
        assertThatThrownBy(() -> Ipv4Subnet.parseAddress("example.com")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> Ipv4Subnet.parseAddress("1.2.3")).hasMessageContaining("not an IPv4 address");
    }

    @Test
    void nodeNetworkIsValidated() {
        assertThatThrownBy(() -> NodeNetwork.of(1, "10.21.0.1", "0a:00:00:00:00:01", "10.20.0.0/24"))
                .hasMessage("gateway IP 10.21.0.1 is outside the pod CIDR 10.20.0.0/24");
        assertThatThrownBy(() -> NodeNetwork.of(0, "10.20.0.1", "0a:00:00:00:00:01", "10.20.0.0/24"))
                .hasMessageContaining("gateway ofport: 0");
        assertThatThrownBy(() -> NodeNetwork.of(1, "10.20.0.1", "01:00:5e:00:00:01", "10.20.0.0/24"))
                .hasMessageContaining("gateway MAC 01:00:5e:00:00:01 is a multicast/broadcast address");
    }

    @Test
    void podIsValidated() {
        assertThatThrownBy(() -> LocalPod.of("a/b", 65280, "10.20.0.2", "0a:00:00:00:00:02"))
                .hasMessage("pod a/b: ofport 65280 out of range 1..65279");
        assertThatThrownBy(() -> LocalPod.of("a/b", 2, "10.20.0.2", "ff:ff:ff:ff:ff:ff"))
                .hasMessageContaining("pod a/b MAC ff:ff:ff:ff:ff:ff is a multicast/broadcast address");
        assertThatThrownBy(() -> LocalPod.of(" ", 2, "10.20.0.2", "0a:00:00:00:00:02"))
                .hasMessageContaining("pod name is blank");
    }
}
