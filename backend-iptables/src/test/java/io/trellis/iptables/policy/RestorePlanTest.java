package io.trellis.iptables.policy;

import static io.trellis.iptables.policy.Policies.ingress;
import static io.trellis.iptables.policy.Policies.rule;
import static io.trellis.iptables.policy.Policies.target;
import static io.trellis.iptables.policy.Policies.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.Peers;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RestorePlanTest {

    private static PolicyRuleset compile(List<NetworkPolicyRules> policies) {
        List<RuleKey> keys = policies.stream().flatMap(p -> PolicyRuleset.keys(p).stream()).toList();
        return PolicyRuleset.compile(policies, RuleIds.assign(Map.of(), keys));
    }

    /** iptables-save -c of a ruleset as installed, with the given counters on every line. */
    private static String saved(PolicyRuleset set, String extraForward, long packets) {
        StringBuilder out = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        set.chains().keySet().forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        out.append("[5:300] -A INPUT ").append(RestorePlan.JUMP).append('\n');
        out.append("[5:300] -A FORWARD ").append(RestorePlan.JUMP).append('\n');
        out.append(extraForward);
        set.chains().forEach((c, rules) -> rules.forEach(r -> out.append('[').append(packets).append(':')
                .append(packets * 100).append("] -A ").append(c).append(' ').append(r).append('\n')));
        return out.append("COMMIT\n").toString();
    }

    @Test
    void nothingToDoWhenTheTableIsAsWanted() {
        PolicyRuleset set = compile(List.of(ingress("ns", "p", List.of(target("ns", "b", "10.244.1.12")),
                rule(0, new Peers.Any(), tcp(80)))));
        assertThat(RestorePlan.of(set, SavedFilter.parse(saved(set, "", 3)))).isEmpty();
    }

    @Test
    void onlyChangedChainsAreRewrittenKeepingCountersOfUnchangedLines() {
        PolicyRuleset before = compile(List.of(ingress("ns", "p", List.of(target("ns", "b", "10.244.1.12")),
                rule(0, new Peers.Any(), tcp(80)))));
        PolicyRuleset after = compile(List.of(ingress("ns", "p", List.of(target("ns", "b", "10.244.1.12")),
                rule(0, new Peers.Any(), tcp(81)))));
        String plan = RestorePlan.of(after, SavedFilter.parse(saved(before, "", 7)));
        assertThat(plan).isEqualTo("""
                *filter
                :TRELLIS-POLICY-I-0AF4010C - [0:0]
                [7:700] -A TRELLIS-POLICY-I-0AF4010C -s 10.244.1.12/32 -j RETURN
                [0:0] -A TRELLIS-POLICY-I-0AF4010C -p tcp -m tcp --dport 81 -g TRELLIS-POLICY-RI-1
                [7:700] -A TRELLIS-POLICY-I-0AF4010C -m comment --comment "default deny ingress of ns/b" -j DROP
                COMMIT
                """);
    }

    @Test
    void staleChainsAreFlushedThenDeletedAndDuplicateJumpsRemoved() {
        PolicyRuleset before = compile(List.of(ingress("ns", "p", List.of(target("ns", "b", "10.244.1.12")),
                rule(0, new Peers.Any(), tcp(80)))));
        PolicyRuleset after = compile(List.of());
        String extra = "[0:0] -A FORWARD -j TRELLIS-POLICY\n[0:0] -A FORWARD -j TRELLIS-POD-FORWARD\n";
        String plan = RestorePlan.of(after, SavedFilter.parse(saved(before, extra, 1)));
        assertThat(plan).isEqualTo("""
                *filter
                :TRELLIS-POLICY - [0:0]
                :TRELLIS-POLICY-COUNT-IN - [0:0]
                :TRELLIS-POLICY-I-0AF4010C - [0:0]
                :TRELLIS-POLICY-RI-1 - [0:0]
                [1:100] -A TRELLIS-POLICY -m conntrack --ctstate RELATED,ESTABLISHED -g TRELLIS-POLICY-COUNT-IN
                [1:100] -A TRELLIS-POLICY-COUNT-IN -m connmark --mark 0x0/0xfff00000 -g TRELLIS-POLICY-COUNT-EG
                [1:100] -A TRELLIS-POLICY-COUNT-IN -g TRELLIS-POLICY-COUNT-EG
                -D FORWARD -j TRELLIS-POLICY
                -X TRELLIS-POLICY-I-0AF4010C
                -X TRELLIS-POLICY-RI-1
                COMMIT
                """);
    }

    @Test
    void uninstallRemovesJumpsAndEveryOwnChainOnly() {
        PolicyRuleset set = compile(List.of(ingress("ns", "p", List.of(target("ns", "b", "10.244.1.12")),
                rule(0, new Peers.Any(), tcp(80)))));
        String extra = "[0:0] -A FORWARD -j TRELLIS-POD-FORWARD\n";
        String text = saved(set, extra, 0).replace("COMMIT\n", ":TRELLIS-POD-FORWARD - [0:0]\nCOMMIT\n");
        String plan = RestorePlan.uninstall(SavedFilter.parse(text));
        String chains = set.chains().keySet().stream().map(c -> ":" + c + " - [0:0]\n").collect(Collectors.joining());
        String deletes = set.chains().keySet().stream().map(c -> "-X " + c + "\n").collect(Collectors.joining());
        assertThat(plan).isEqualTo("*filter\n" + chains + "-D INPUT " + RestorePlan.JUMP + "\n-D FORWARD "
                + RestorePlan.JUMP + "\n" + deletes + "COMMIT\n");
        assertThat(plan).doesNotContain("TRELLIS-POD-FORWARD");
        assertThat(RestorePlan.uninstall(SavedFilter.parse("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n"))).isEmpty();
    }

    @Test
    void targetOfFindsTheLastJumpOrGoto() {
        assertThat(RestorePlan.targetOf("-m set --match-set X src -g TRELLIS-POLICY-RI-3")).isEqualTo("TRELLIS-POLICY-RI-3");
        assertThat(RestorePlan.targetOf("-s 1.2.3.4/32 -j ACCEPT")).isEqualTo("ACCEPT");
        assertThat(RestorePlan.targetOf("-m comment --comment \"x\"")).isEmpty();
    }
}
