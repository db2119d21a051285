package io.trellis.iptables.policy;

import static io.trellis.iptables.policy.Policies.range;
import static io.trellis.iptables.policy.Policies.tcp;
import static io.trellis.iptables.policy.Policies.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.PortMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PortMatchesTest {

    @Test
    void onePortOneRangeAndWholeProtocols() {
        assertThat(PortMatches.of(List.of(tcp(80)))).containsExactly(new PortMatches.Fragment("-p tcp", "-m tcp --dport 80"));
        assertThat(PortMatches.of(List.of(range(Protocol.UDP, 1000, 2000))))
                .containsExactly(new PortMatches.Fragment("-p udp", "-m udp --dport 1000:2000"));
        assertThat(PortMatches.of(List.of(range(Protocol.SCTP, 7, 7))))
                .containsExactly(new PortMatches.Fragment("-p sctp", "-m sctp --dport 7"));
        assertThat(PortMatches.of(List.of(tcp(80), new PortMatch(Protocol.TCP, OptionalInt.empty(), OptionalInt.empty()),
                udp(53)))).containsExactly(new PortMatches.Fragment("-p tcp", ""),
                        new PortMatches.Fragment("-p udp", "-m udp --dport 53"));
    }

    @Test
    void severalPortsUseMultiportInChunksOfFifteenSlots() {
        List<PortMatch> ports = new ArrayList<>();
        for (int p = 1; p <= 14; p++) {
            ports.add(tcp(p));
        }
        ports.add(range(Protocol.TCP, 100, 200)); // two slots: does not fit after 14 single ports
        ports.add(tcp(300));
        assertThat(PortMatches.of(ports)).containsExactly(
                new PortMatches.Fragment("-p tcp", "-m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14"),
                new PortMatches.Fragment("-p tcp", "-m multiport --dports 100:200,300"));
    }

    @Test
    void emptyPortsAreRejected() {
        assertThatThrownBy(() -> PortMatches.of(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ports");
    }
}
