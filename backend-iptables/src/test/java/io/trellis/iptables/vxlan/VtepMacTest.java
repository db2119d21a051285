package io.trellis.iptables.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.netlink.route.IpPrefix;
import io.trellis.netlink.route.MacAddress;
import java.net.Inet4Address;
import org.junit.jupiter.api.Test;

class VtepMacTest {

    private static Inet4Address ip(String text) {
        return (Inet4Address) IpPrefix.parseAddress(text);
    }

    @Test
    void embedsTheNodeIpAfterTheTrellisPrefix() {
        assertThat(VtepMac.of(ip("10.251.0.2"))).isEqualTo(MacAddress.parse("02:74:0a:fb:00:02"));
        assertThat(VtepMac.of(ip("192.168.255.1"))).isEqualTo(MacAddress.parse("02:74:c0:a8:ff:01"));
        assertThat(VtepMac.of(ip("0.0.0.0")).toString()).isEqualTo("02:74:00:00:00:00");
    }

    @Test
    void isALocallyAdministeredUnicastAddress() {
        for (String node : new String[] {"10.0.0.1", "255.255.255.255", "172.16.9.200"}) {
            byte first = VtepMac.of(ip(node)).octets()[0];
            assertThat(first & 0x01).as("I/G bit of %s", node).isZero();
            assertThat(first & 0x02).as("U/L bit of %s", node).isEqualTo(0x02);
        }
    }

    @Test
    void differentNodesGetDifferentMacsAndTheSameNodeAlwaysTheSame() {
        assertThat(VtepMac.of(ip("10.251.0.2"))).isNotEqualTo(VtepMac.of(ip("10.251.0.3")));
        assertThat(VtepMac.of(ip("10.251.0.2"))).isNotEqualTo(VtepMac.of(ip("10.251.1.2")));
        assertThat(VtepMac.of(ip("10.251.0.2"))).isEqualTo(VtepMac.of(ip("10.251.0.2")));
    }
}
