package io.trellis.ipam.cidr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class CidrTest {

    @Test
    void parsesIpv4AndComputesAddressesByOffset() {
        Cidr cidr = Cidr.parse("10.244.1.0/24");
        assertThat(cidr.family()).isEqualTo(IpFamily.IPV4);
        assertThat(cidr.prefixLength()).isEqualTo(24);
        assertThat(cidr.size()).isEqualTo(BigInteger.valueOf(256));
        assertThat(IpLiterals.format(cidr.addressAt(BigInteger.valueOf(255)))).isEqualTo("10.244.1.255");
        assertThat(cidr.offsetOf(IpLiterals.parse("10.244.1.7"))).isEqualTo(BigInteger.valueOf(7));
        assertThat(cidr.contains(IpLiterals.parse("10.244.2.0"))).isFalse();
        assertThat(cidr.contains(IpLiterals.parse("10.244.1.255"))).isTrue();
        assertThat(cidr).hasToString("10.244.1.0/24");
    }

    @Test
    void offsetsCarryAcrossOctets() {
        Cidr cidr = Cidr.parse("10.0.0.0/8");
        assertThat(IpLiterals.format(cidr.addressAt(BigInteger.valueOf(256 * 256 + 256 + 1)))).isEqualTo("10.1.1.1");
        assertThat(IpLiterals.format(Cidr.parse("0.0.0.0/0").addressAt(BigInteger.valueOf(0xFFFFFFFFL)))).isEqualTo("255.255.255.255");
    }

    @Test
    void parsesIpv6() {
        Cidr cidr = Cidr.parse("fd00:10:244:1::/64");
        assertThat(cidr.family()).isEqualTo(IpFamily.IPV6);
        assertThat(cidr.size()).isEqualTo(BigInteger.ONE.shiftLeft(64));
        assertThat(IpLiterals.format(cidr.addressAt(BigInteger.TWO))).isEqualTo("fd00:10:244:1::2");
        assertThat(IpLiterals.format(cidr.addressAt(cidr.size().subtract(BigInteger.ONE))))
                .isEqualTo("fd00:10:244:1:ffff:ffff:ffff:ffff");
        assertThat(cidr).hasToString("fd00:10:244:1::/64");
    }

    @Test
    void rejectsHostBitsNamingTheNetwork() {
        assertThatThrownBy(() -> Cidr.parse("10.244.1.5/24"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("10.244.1.5/24 has host bits set; the network is 10.244.1.0/24");
    }

    @Test
    void rejectsMalformedTextNamingIt() {
        assertThatThrownBy(() -> Cidr.parse("10.244.1.0")).hasMessageContaining("'10.244.1.0' is not a CIDR");
        assertThatThrownBy(() -> Cidr.parse("10.244.1.0/x")).hasMessageContaining("prefix length 'x'");
        assertThatThrownBy(() -> Cidr.parse("10.244.1.0/33")).hasMessageContaining("must be 0..32, got 33");
        assertThatThrownBy(() -> Cidr.parse("10.244.300.0/24")).hasMessageContaining("octet 300");
        assertThatThrownBy(() -> Cidr.parse("fd00::/129")).hasMessageContaining("must be 0..128, got 129");
    }

    @Test
    void overlapsOnlyWithinAFamily() {
        assertThat(Cidr.parse("10.0.0.0/8").overlaps(Cidr.parse("10.244.1.0/24"))).isTrue();
        assertThat(Cidr.parse("10.244.1.0/24").overlaps(Cidr.parse("10.0.0.0/8"))).isTrue();
        assertThat(Cidr.parse("10.244.1.0/24").overlaps(Cidr.parse("10.244.2.0/24"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").overlaps(Cidr.parse("::/0"))).isFalse();
    }
}
