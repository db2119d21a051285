package io.trellis.spi.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class IpPrefixTest {

    @Test
    void parsesIpv4AndIpv6() throws Exception {
        IpPrefix v4 = IpPrefix.parse("10.244.1.0/24");
        IpPrefix v6 = IpPrefix.parse("fd00:10:244:1::/64");

        assertThat(v4.network()).isEqualTo(InetAddress.getByName("10.244.1.0"));
        assertThat(v4.prefixLength()).isEqualTo(24);
        assertThat(v4.isIpv4()).isTrue();
        assertThat(v6.isIpv4()).isFalse();
        assertThat(v4).hasToString("10.244.1.0/24");
        assertThat(IpPrefix.parse("0.0.0.0/0").contains(InetAddress.getByName("192.0.2.1"))).isTrue();
    }

    @Test
    void containsChecksFamilyAndPrefix() throws Exception {
        IpPrefix p = IpPrefix.parse("10.244.0.0/23");
        assertThat(p.contains(InetAddress.getByName("10.244.0.255"))).isTrue();
        assertThat(p.contains(InetAddress.getByName("10.244.1.7"))).isTrue();
        assertThat(p.contains(InetAddress.getByName("10.244.2.0"))).isFalse();
        assertThat(p.contains(InetAddress.getByName("::a"))).isFalse();
    }

    @Test
    void rejectsHostBitsBadLengthsAndNames() {
        assertThatThrownBy(() -> IpPrefix.parse("10.244.1.5/24"))
                .hasMessage("10.244.1.5/24 has host bits set (the network is 10.244.1.0/24)");
        assertThatThrownBy(() -> IpPrefix.parse("fd00::1/64"))
                .hasMessage("fd00:0:0:0:0:0:0:1/64 has host bits set (the network is fd00:0:0:0:0:0:0:0/64)");
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.0/33")).hasMessage("prefix length of 10.0.0.0 must be 0..32, got 33");
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.0")).hasMessage("'10.0.0.0' is not a CIDR (address/length)");
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.0/x")).hasMessage("'10.0.0.0/x' has no numeric prefix length");
        // A host name would trigger a DNS lookup in InetAddress.getByName: refused before that.
        assertThatThrownBy(() -> IpPrefix.parse("localhost/8"))
                .hasMessage("'localhost/8' does not start with a numeric IP address");
        assertThatThrownBy(() -> IpPrefix.parse("300.1.1.1/8"))
                .hasMessage("'300.1.1.1/8' does not start with a valid IP address");
    }
}
