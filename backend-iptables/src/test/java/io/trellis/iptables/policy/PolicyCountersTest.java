package io.trellis.iptables.policy;

import static io.trellis.iptables.policy.Policies.ingress;
import static io.trellis.iptables.policy.Policies.rule;
import static io.trellis.iptables.policy.Policies.target;
import static io.trellis.iptables.policy.Policies.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.spi.model.PodRef;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IsolationDropCounters;
import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.Peers;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyStatistics;
import io.trellis.spi.policy.RuleCounters;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyCountersTest {

    @Test
    void sessionsFromTheRuleChainPacketsAddTheEstablishedCountAndDropsPerPod() {
        NetworkPolicyRules p = ingress("ns", "web", List.of(target("ns", "b", "10.244.1.12")),
                rule(0, new Peers.Any(), tcp(80)), rule(1, new Peers.Any(), tcp(81)));
        PolicyRuleset set = PolicyRuleset.compile(List.of(p), RuleIds.assign(Map.of(), PolicyRuleset.keys(p)));
        String saved = """
                *filter
                :FORWARD ACCEPT [0:0]
                :TRELLIS-POLICY-COUNT-IN - [0:0]
                :TRELLIS-POLICY-I-0AF4010C - [0:0]
                :TRELLIS-POLICY-RI-1 - [0:0]
                :TRELLIS-POLICY-RI-2 - [0:0]
                [900:90000] -A TRELLIS-POLICY-COUNT-IN -m connmark --mark 0x0/0xfff00000 -g TRELLIS-POLICY-COUNT-EG
                [40:4000] -A TRELLIS-POLICY-COUNT-IN -m connmark --mark 0x100000/0xfff00000 -g TRELLIS-POLICY-COUNT-EG
                [6:360] -A TRELLIS-POLICY-I-0AF4010C -m comment --comment "default deny ingress of ns/b" -j DROP
                [5:300] -A TRELLIS-POLICY-RI-1 -m comment --comment "ns/web ingress[0]" -j CONNMARK --set-xmark 0x100000/0xfff00000
                [0:0] -A TRELLIS-POLICY-RI-2 -m comment --comment "ns/web ingress[1]" -j CONNMARK --set-xmark 0x200000/0xfff00000
                COMMIT
                """;
        PolicyStatistics stats = PolicyCounters.read(set, SavedFilter.parse(saved));
        PolicyRef ref = new PolicyRef("ns", "web");
        assertThat(stats.rules()).containsExactly(new RuleCounters(ref, Direction.INGRESS, 0, 5, 45, 4300),
                new RuleCounters(ref, Direction.INGRESS, 1, 0, 0, 0));
        assertThat(stats.isolationDrops())
                .containsExactly(new IsolationDropCounters(new PodRef("ns", "b"), Direction.INGRESS, 6, 360));

        assertThat(PolicyCounters.installedIds(SavedFilter.parse(saved))).isEqualTo(Map.of(
                new RuleKey(ref, Direction.INGRESS, 0), 1, new RuleKey(ref, Direction.INGRESS, 1), 2));
    }
}
