package io.trellis.ipam.cidr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import org.junit.jupiter.api.Test;

class IpLiteralsTest {

    @Test
    void formatsIpv6InRfc5952Form() {
        assertThat(IpLiterals.format(IpLiterals.parse("FD00:0:0:0:0:0:0:5"))).isEqualTo("fd00::5");
        assertThat(IpLiterals.format(IpLiterals.parse("::"))).isEqualTo("::");
        assertThat(IpLiterals.format(IpLiterals.parse("::1"))).isEqualTo("::1");
        assertThat(IpLiterals.format(IpLiterals.parse("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(IpLiterals.format(IpLiterals.parse("2001:db8:0:1:1:1:1:1"))).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(IpLiterals.format(IpLiterals.parse("fd00:1:0:0:2:0:0:0"))).isEqualTo("fd00:1:0:0:2::");
    }

    @Test
    void keepsIpv4MappedAddressesIpv6() {
        assertThat(IpLiterals.parse("::ffff:10.0.0.1")).isInstanceOf(Inet6Address.class);
        assertThat(IpLiterals.format(IpLiterals.parse("::ffff:10.0.0.1"))).isEqualTo("::ffff:a00:1");
    }

    @Test
    void rejectsNamesAndSloppyIpv4WithoutResolving() {
        assertThatThrownBy(() -> IpLiterals.parse("localhost")).hasMessage("'localhost' is not an IPv4 address (expected four dotted octets)");
        assertThatThrownBy(() -> IpLiterals.parse("10.0.0")).hasMessageContaining("four dotted octets");
        assertThatThrownBy(() -> IpLiterals.parse("10.0.0.01")).hasMessageContaining("octet '01'");
        assertThatThrownBy(() -> IpLiterals.parse("fe80::1%eth0")).hasMessage("'fe80::1%eth0' is not an IPv6 address");
        assertThatThrownBy(() -> IpLiterals.parse("fd00:::1")).hasMessageContaining("'fd00:::1' is not an IPv6 address");
        assertThatThrownBy(() -> IpLiterals.parse("")).hasMessageContaining("must not be empty");
    }
}
