package io.trellis.ipam.hostlocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ipam.cidr.Cidr;
import io.trellis.ipam.cidr.IpLiterals;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostRangeTest {

    private static InetAddress ip(String text) {
        return IpLiterals.parse(text);
    }

    @Test
    void ipv4ExcludesNetworkGatewayAndBroadcast() {
        HostRange range = new HostRange(Cidr.parse("10.244.1.0/24"));
        assertThat(range.gateway()).isEqualTo(ip("10.244.1.1"));
        assertThat(range.usableCount()).isEqualTo(BigInteger.valueOf(253));
        assertThat(range.isUsable(ip("10.244.1.0"))).isFalse();
        assertThat(range.isUsable(ip("10.244.1.1"))).isFalse();
        assertThat(range.isUsable(ip("10.244.1.2"))).isTrue();
        assertThat(range.isUsable(ip("10.244.1.254"))).isTrue();
        assertThat(range.isUsable(ip("10.244.1.255"))).isFalse();
        assertThat(range.isUsable(ip("10.244.2.2"))).isFalse();
    }

    @Test
    void ipv6HasNoBroadcast() {
        HostRange range = new HostRange(Cidr.parse("fd00::/126"));
        assertThat(range.gateway()).isEqualTo(ip("fd00::1"));
        assertThat(range.usableCount()).isEqualTo(BigInteger.TWO);
        assertThat(range.isUsable(ip("fd00::3"))).isTrue();
    }

    @Test
    void nextFreeStartsAfterTheLastReservationAndWraps() {
        HostRange range = new HostRange(Cidr.parse("10.0.0.0/29")); // usable .2 .. .6
        assertThat(range.nextFree(Optional.empty(), a -> false)).contains(ip("10.0.0.2"));
        assertThat(range.nextFree(Optional.of(ip("10.0.0.3")), a -> false)).contains(ip("10.0.0.4"));
        assertThat(range.nextFree(Optional.of(ip("10.0.0.6")), a -> false)).contains(ip("10.0.0.2"));
        Set<InetAddress> taken = Set.of(ip("10.0.0.5"), ip("10.0.0.6"), ip("10.0.0.2"));
        assertThat(range.nextFree(Optional.of(ip("10.0.0.4")), taken::contains)).contains(ip("10.0.0.3"));
        // A cursor outside the range (the CIDR changed) restarts at the bottom.
        assertThat(range.nextFree(Optional.of(ip("10.9.9.9")), a -> false)).contains(ip("10.0.0.2"));
    }

    @Test
    void nextFreeIsEmptyWhenAllAreTaken() {
        HostRange range = new HostRange(Cidr.parse("10.0.0.0/30"));
        assertThat(range.nextFree(Optional.empty(), a -> a.equals(ip("10.0.0.2")))).isEmpty();
    }

    @Test
    void rejectsCidrsWithNoRoomForPods() {
        assertThatThrownBy(() -> new HostRange(Cidr.parse("10.0.0.0/31")))
                .hasMessageContaining("pod CIDR 10.0.0.0/31 has no address left for pods")
                .hasMessageContaining("use at most /30");
        assertThatThrownBy(() -> new HostRange(Cidr.parse("fd00::/127"))).hasMessageContaining("use at most /126");
    }
}
