package io.trellis.ovs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PolicyMatchesTest {

    @Test
    void exceptSplitsTheBlockIntoTheSiblingsAlongThePath() {
        List<Ipv4Subnet> out = PolicyMatches.minus(Ipv4Subnet.parse("10.0.0.0/24"),
                List.of(Ipv4Subnet.parse("10.0.0.64/26")));
        assertThat(out).extracting(Ipv4Subnet::toString).containsExactly("10.0.0.0/26", "10.0.0.128/25");
    }

    @Test
    void severalAndNestedExceptsLeaveDisjointPrefixes() {
        List<Ipv4Subnet> out = PolicyMatches.minus(Ipv4Subnet.parse("172.16.0.0/16"),
                List.of(Ipv4Subnet.parse("172.16.1.0/24"), Ipv4Subnet.parse("172.16.1.128/25"),
                        Ipv4Subnet.parse("172.16.200.7/32")));
        // Brute force over the /16: every address is covered exactly when it is outside the excepts.
        for (int host = 0; host < 65536; host++) {
            String ip = "172.16." + (host >> 8) + "." + (host & 0xff);
            var a = Ipv4Subnet.parseAddress(ip);
            boolean excepted = Ipv4Subnet.parse("172.16.1.0/24").contains(a) || ip.equals("172.16.200.7");
            long covering = out.stream().filter(p -> p.contains(a)).count();
            assertThat(covering).as(ip).isEqualTo(excepted ? 0 : 1);
        }
        assertThat(out.size()).isLessThanOrEqualTo(8 + 16);
    }

    @Test
    void anExceptCoveringTheWholeBlockLeavesNothing() {
        assertThat(PolicyMatches.minus(Ipv4Subnet.parse("10.1.2.0/24"), List.of(Ipv4Subnet.parse("10.1.2.0/24"))))
                .isEmpty();
        assertThat(PolicyMatches.minus(Ipv4Subnet.parse("10.1.2.0/24"), List.of()))
                .containsExactly(Ipv4Subnet.parse("10.1.2.0/24"));
    }

    @Test
    void portRangesBecomeAlignedMasks() {
        assertThat(PolicyMatches.portRange(80, 80)).containsExactly(new PolicyMatches.MaskedPort(80, 0xffff));
        assertThat(PolicyMatches.portRange(1024, 2047)).containsExactly(new PolicyMatches.MaskedPort(1024, 0xfc00));
        assertThat(PolicyMatches.portRange(81, 82)).containsExactly(new PolicyMatches.MaskedPort(81, 0xffff),
                new PolicyMatches.MaskedPort(82, 0xffff));
        assertThat(PolicyMatches.portRange(1, 65535)).hasSize(16);
    }

    @Test
    void randomPortRangesAreCoveredExactlyOnce() {
        Random random = new Random(42);
        for (int round = 0; round < 300; round++) {
            int a = 1 + random.nextInt(65535);
            int b = 1 + random.nextInt(65535);
            int first = Math.min(a, b);
            int last = Math.max(a, b);
            List<PolicyMatches.MaskedPort> masks = PolicyMatches.portRange(first, last);
            assertThat(masks.size()).isLessThanOrEqualTo(30);
            List<Integer> covered = new ArrayList<>();
            for (PolicyMatches.MaskedPort m : masks) {
                for (int p = m.first(); p <= m.last(); p++) {
                    assertThat(p & m.mask()).isEqualTo(m.port());
                    covered.add(p);
                }
            }
            assertThat(covered).as("%d..%d", first, last).hasSize(last - first + 1).doesNotHaveDuplicates()
                    .allMatch(p -> p >= first && p <= last);
        }
    }

    @Test
    void badRangesAreRefusedWithTheValues() {
        assertThatThrownBy(() -> PolicyMatches.portRange(90, 80)).hasMessageContaining("90..80");
        assertThatThrownBy(() -> new PolicyMatches.MaskedPort(81, 0xfff0)).hasMessageContaining("81/0xfff0");
    }
}
