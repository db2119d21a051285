package io.trellis.ovs.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.pipeline.Ipv4Subnet;
import java.util.List;
import org.junit.jupiter.api.Test;

class MasqueradeRulesTest {

    private static final Ipv4Subnet POD_CIDR = Ipv4Subnet.parse("10.77.0.0/24");
    private static final String NAT_JUMP = "-m comment --comment \"trellis: masquerade pod egress\" -j TRELLIS-POSTROUTING";
    private static final String FORWARD_JUMP = "-m comment --comment \"trellis: forward pod traffic\" -j TRELLIS-FORWARD";

    private static final String FRESH_INSTALL = """
            *nat
            :TRELLIS-POSTROUTING - [0:0]
            -A TRELLIS-POSTROUTING -d 10.77.0.0/24 -m comment --comment "trellis: keep pod source" -j RETURN
            -A TRELLIS-POSTROUTING -s 10.77.0.0/24 -m comment --comment "trellis: pod egress" -j MASQUERADE
            -I POSTROUTING 1 %s
            COMMIT
            *filter
            :TRELLIS-FORWARD - [0:0]
            -A TRELLIS-FORWARD -s 10.77.0.0/24 -j ACCEPT
            -A TRELLIS-FORWARD -d 10.77.0.0/24 -j ACCEPT
            -I FORWARD 1 %s
            COMMIT
            """.formatted(NAT_JUMP, FORWARD_JUMP);

    @Test
    void freshTablesGetChainsAndJumps() {
        String input = MasqueradeRules.forPodCidr(POD_CIDR)
                .installInput(IptablesTable.empty("nat"), IptablesTable.empty("filter"));
        assertThat(input).isEqualTo(FRESH_INSTALL);
    }

    @Test
    void existingJumpsAreKeptSoRerunsAddNothing() {
        IptablesTable nat = table("nat", List.of("POSTROUTING", "TRELLIS-POSTROUTING"),
                rule("POSTROUTING", "-s 172.17.0.0/16 -j MASQUERADE"), rule("POSTROUTING", NAT_JUMP),
                rule("TRELLIS-POSTROUTING", "-s 10.1.0.0/24 -j MASQUERADE"));
        IptablesTable filter = table("filter", List.of("FORWARD", "TRELLIS-FORWARD"), rule("FORWARD", FORWARD_JUMP));
        String input = MasqueradeRules.forPodCidr(POD_CIDR).installInput(nat, filter);
        assertThat(input).doesNotContain("-I ").doesNotContain("-D ")
                // The chains are still declared: that flushes them, dropping the stale 10.1.0.0/24 rule.
                .contains(":TRELLIS-POSTROUTING - [0:0]\n", ":TRELLIS-FORWARD - [0:0]\n")
                .contains("-A TRELLIS-POSTROUTING -s 10.77.0.0/24 -m comment --comment \"trellis: pod egress\" -j MASQUERADE\n")
                .doesNotContain("10.1.0.0");
    }

    @Test
    void duplicateOrAlteredJumpsAreReplacedByOne() {
        IptablesTable nat = table("nat", List.of("POSTROUTING", "TRELLIS-POSTROUTING"),
                rule("POSTROUTING", NAT_JUMP), rule("POSTROUTING", NAT_JUMP));
        IptablesTable filter = table("filter", List.of("FORWARD", "TRELLIS-FORWARD"),
                rule("FORWARD", "-j TRELLIS-FORWARD"));
        String input = MasqueradeRules.forPodCidr(POD_CIDR).installInput(nat, filter);
        assertThat(input).contains("-D POSTROUTING " + NAT_JUMP + "\n-D POSTROUTING " + NAT_JUMP + "\n-I POSTROUTING 1 "
                + NAT_JUMP + "\n");
        assertThat(input).contains("-D FORWARD -j TRELLIS-FORWARD\n-I FORWARD 1 " + FORWARD_JUMP + "\n");
    }

    @Test
    void moreDestinationsKeepPodSourcesBeforeTheMasquerade() {
        MasqueradeRules rules = MasqueradeRules.forPodCidr(POD_CIDR)
                .withNonMasqueradeDestination(Ipv4Subnet.parse("10.77.0.0/16"))
                .withNonMasqueradeDestination(Ipv4Subnet.parse("10.77.0.0/16"));
        assertThat(rules.nonMasqueradeDestinations()).containsExactly(POD_CIDR, Ipv4Subnet.parse("10.77.0.0/16"));
        String input = rules.installInput(IptablesTable.empty("nat"), IptablesTable.empty("filter"));
        int cluster = input.indexOf("-A TRELLIS-POSTROUTING -d 10.77.0.0/16 ");
        int masquerade = input.indexOf("-j MASQUERADE");
        assertThat(cluster).isPositive().isLessThan(masquerade);
    }

    @Test
    void thePodCidrAlwaysKeepsItsSource() {
        assertThatThrownBy(() -> new MasqueradeRules(POD_CIDR, List.of(Ipv4Subnet.parse("10.0.0.0/8"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must include the pod CIDR 10.77.0.0/24");
    }

    @Test
    void uninstallDeletesEveryJumpThenTheChains() {
        IptablesTable nat = table("nat", List.of("POSTROUTING", "OUTPUT", "TRELLIS-POSTROUTING"),
                rule("POSTROUTING", NAT_JUMP), rule("OUTPUT", "-j TRELLIS-POSTROUTING"),
                rule("TRELLIS-POSTROUTING", "-s 10.77.0.0/24 -j MASQUERADE"));
        IptablesTable filter = table("filter", List.of("FORWARD", "TRELLIS-FORWARD"));
        assertThat(MasqueradeRules.uninstallInput(nat, filter)).isEqualTo("""
                *nat
                -D POSTROUTING %s
                -D OUTPUT -j TRELLIS-POSTROUTING
                :TRELLIS-POSTROUTING - [0:0]
                -X TRELLIS-POSTROUTING
                COMMIT
                *filter
                :TRELLIS-FORWARD - [0:0]
                -X TRELLIS-FORWARD
                COMMIT
                """.formatted(NAT_JUMP));
    }

    @Test
    void uninstallOnCleanTablesDoesNothing() {
        IptablesTable nat = table("nat", List.of("POSTROUTING"), rule("POSTROUTING", "-s 172.17.0.0/16 -j MASQUERADE"));
        assertThat(MasqueradeRules.uninstallInput(nat, IptablesTable.empty("filter"))).isEmpty();
    }

    @Test
    void tablesMustBeTheRightOnes() {
        assertThatThrownBy(() -> MasqueradeRules.forPodCidr(POD_CIDR)
                .installInput(IptablesTable.empty("filter"), IptablesTable.empty("filter")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("expected the nat table, got filter");
    }

    private static IptablesTable.Rule rule(String chain, String spec) {
        return new IptablesTable.Rule(chain, spec);
    }

    private static IptablesTable table(String name, List<String> chains, IptablesTable.Rule... rules) {
        return new IptablesTable(name, chains, List.of(rules));
    }
}
