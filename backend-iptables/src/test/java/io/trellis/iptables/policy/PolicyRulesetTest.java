package io.trellis.iptables.policy;

import static io.trellis.iptables.policy.Policies.block;
import static io.trellis.iptables.policy.Policies.egress;
import static io.trellis.iptables.policy.Policies.ingress;
import static io.trellis.iptables.policy.Policies.peers;
import static io.trellis.iptables.policy.Policies.range;
import static io.trellis.iptables.policy.Policies.rule;
import static io.trellis.iptables.policy.Policies.target;
import static io.trellis.iptables.policy.Policies.tcp;
import static io.trellis.iptables.policy.Policies.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.Peers;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyRule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyRulesetTest {

    private static PolicyRuleset compile(Collection<NetworkPolicyRules> policies) {
        List<RuleKey> keys = new ArrayList<>();
        policies.forEach(p -> keys.addAll(PolicyRuleset.keys(p)));
        return PolicyRuleset.compile(policies, RuleIds.assign(Map.of(), keys));
    }

    @Test
    void smallCaseGivesExactRestoreAndIpsetText() {
        NetworkPolicyRules web = ingress("ns1", "allow-web", List.of(target("ns1", "b", "10.244.1.12")),
                rule(0, block("10.244.1.0/24", "10.244.1.13/32"), tcp(80), range(Protocol.TCP, 8000, 8080)));
        NetworkPolicyRules deny = egress("ns1", "deny-egress", List.of(target("ns1", "a", "10.244.1.11")));
        PolicyRuleset set = compile(List.of(web, deny));

        String entries = String.join("\n", "10.244.1.0/29", "10.244.1.8/30", "10.244.1.12/32", "10.244.1.14/31",
                "10.244.1.16/28", "10.244.1.32/27", "10.244.1.64/26", "10.244.1.128/25");
        String name = PolicyNames.setName(entries);
        assertThat(set.sets()).containsOnlyKeys(name);

        assertThat(IpsetPlan.prepare(set.sets(), Set.of(), Set.of())).isEqualTo(
                "create " + name + " hash:net family inet hashsize 1024 maxelem 65536\n"
                + "add " + name + " 10.244.1.0/29\n"
                + "add " + name + " 10.244.1.8/30\n"
                + "add " + name + " 10.244.1.12/32\n"
                + "add " + name + " 10.244.1.14/31\n"
                + "add " + name + " 10.244.1.16/28\n"
                + "add " + name + " 10.244.1.32/27\n"
                + "add " + name + " 10.244.1.64/26\n"
                + "add " + name + " 10.244.1.128/25\n");

        assertThat(RestorePlan.of(set, SavedFilter.EMPTY)).isEqualTo("""
                *filter
                :TRELLIS-POLICY - [0:0]
                :TRELLIS-POLICY-COUNT-IN - [0:0]
                :TRELLIS-POLICY-COUNT-EG - [0:0]
                :TRELLIS-POLICY-E-0AF4010B - [0:0]
                :TRELLIS-POLICY-I-0AF4010C - [0:0]
                :TRELLIS-POLICY-RI-1 - [0:0]
                [0:0] -A TRELLIS-POLICY -m conntrack --ctstate RELATED,ESTABLISHED -g TRELLIS-POLICY-COUNT-IN
                [0:0] -A TRELLIS-POLICY -s 10.244.1.11/32 -j TRELLIS-POLICY-E-0AF4010B
                [0:0] -A TRELLIS-POLICY -d 10.244.1.12/32 -j TRELLIS-POLICY-I-0AF4010C
                [0:0] -A TRELLIS-POLICY-COUNT-IN -m connmark --mark 0x0/0xfff00000 -g TRELLIS-POLICY-COUNT-EG
                [0:0] -A TRELLIS-POLICY-COUNT-IN -m connmark --mark 0x100000/0xfff00000 -g TRELLIS-POLICY-COUNT-EG
                [0:0] -A TRELLIS-POLICY-COUNT-IN -g TRELLIS-POLICY-COUNT-EG
                [0:0] -A TRELLIS-POLICY-COUNT-EG -m connmark --mark 0x0/0xfff00 -j RETURN
                [0:0] -A TRELLIS-POLICY-E-0AF4010B -d 10.244.1.11/32 -j RETURN
                [0:0] -A TRELLIS-POLICY-E-0AF4010B -m comment --comment "default deny egress of ns1/a" -j DROP
                [0:0] -A TRELLIS-POLICY-I-0AF4010C -s 10.244.1.12/32 -j RETURN
                [0:0] -A TRELLIS-POLICY-I-0AF4010C -p tcp -m set --match-set %s src -m multiport --dports 80,8000:8080 -g TRELLIS-POLICY-RI-1
                [0:0] -A TRELLIS-POLICY-I-0AF4010C -m comment --comment "default deny ingress of ns1/b" -j DROP
                [0:0] -A TRELLIS-POLICY-RI-1 -m comment --comment "ns1/allow-web ingress[0]" -j CONNMARK --set-xmark 0x100000/0xfff00000
                -I FORWARD 1 -m comment --comment "trellis network policy" -j TRELLIS-POLICY
                -I INPUT 1 -m comment --comment "trellis network policy" -j TRELLIS-POLICY
                COMMIT
                """.formatted(name));
    }

    @Test
    void egressRulesMatchDestinationsAndRecordInTheEgressField() {
        NetworkPolicyRules p = egress("ns", "dns", List.of(target("ns", "a", "10.244.1.11")),
                rule(0, peers("10.96.0.0/12"), udp(53), tcp(53)), rule(1, new Peers.Any()));
        PolicyRuleset set = compile(List.of(p));
        String name = PolicyNames.setName("10.96.0.0/12");
        assertThat(set.chains().get("TRELLIS-POLICY-E-0AF4010B")).containsExactly(
                "-d 10.244.1.11/32 -j RETURN",
                "-p tcp -m set --match-set " + name + " dst -m tcp --dport 53 -g TRELLIS-POLICY-RE-1",
                "-p udp -m set --match-set " + name + " dst -m udp --dport 53 -g TRELLIS-POLICY-RE-1",
                "-g TRELLIS-POLICY-RE-2",
                "-m comment --comment \"default deny egress of ns/a\" -j DROP");
        assertThat(set.chains().get("TRELLIS-POLICY-RE-2"))
                .containsExactly("-m comment --comment \"ns/dns egress[1]\" -j CONNMARK --set-xmark 0x200/0xfff00");
        assertThat(set.chains().get(PolicyNames.COUNT_EGRESS)).containsExactly(
                "-m connmark --mark 0x0/0xfff00 -j RETURN",
                "-m connmark --mark 0x100/0xfff00 -j RETURN",
                "-m connmark --mark 0x200/0xfff00 -j RETURN");
    }

    @Test
    void rulesOfSeveralPoliciesOnOnePodAreOredInPolicyOrder() {
        NetworkPolicyRules second = ingress("ns", "zz", List.of(target("ns", "b", "10.244.1.12")),
                rule(0, peers("10.244.1.20/32")));
        NetworkPolicyRules first = ingress("ns", "aa", List.of(target("ns", "b", "10.244.1.12")),
                rule(0, new Peers.Any(), tcp(81)));
        PolicyRuleset set = compile(List.of(second, first));
        Map<RuleKey, Integer> ids = set.ids();
        int aa = ids.get(new RuleKey(new PolicyRef("ns", "aa"), Direction.INGRESS, 0));
        int zz = ids.get(new RuleKey(new PolicyRef("ns", "zz"), Direction.INGRESS, 0));
        assertThat(set.chains().get("TRELLIS-POLICY-I-0AF4010C")).containsExactly(
                "-s 10.244.1.12/32 -j RETURN",
                "-p tcp -m tcp --dport 81 -g TRELLIS-POLICY-RI-" + aa,
                "-m set --match-set " + PolicyNames.setName("10.244.1.20/32") + " src -g TRELLIS-POLICY-RI-" + zz,
                "-m comment --comment \"default deny ingress of ns/b\" -j DROP");
        assertThat(set.chains().get(PolicyNames.ENTRY)).containsOnlyOnce("-d 10.244.1.12/32 -j TRELLIS-POLICY-I-0AF4010C");
    }

    @Test
    void aRuleWithNoPeerAddressAllowsNoOneButKeepsItsCounters() {
        NetworkPolicyRules p = ingress("ns", "p", List.of(target("ns", "b", "10.244.1.12")),
                rule(0, new Peers.Only(List.of())), rule(1, peers("fd00::/64")));
        PolicyRuleset set = compile(List.of(p));
        assertThat(set.chains().get("TRELLIS-POLICY-I-0AF4010C")).containsExactly("-s 10.244.1.12/32 -j RETURN",
                "-m comment --comment \"default deny ingress of ns/b\" -j DROP");
        assertThat(set.sets()).isEmpty();
        assertThat(set.chains()).containsKeys("TRELLIS-POLICY-RI-1", "TRELLIS-POLICY-RI-2");
    }

    @Test
    void aSplitRuleAppliesEachPartToItsTargetsAndSharesOneId() {
        PodRef b = new PodRef("ns", "b");
        PodRef c = new PodRef("ns", "c");
        NetworkPolicyRules p = ingress("ns", "named", List.of(target("ns", "b", "10.244.1.12"),
                target("ns", "c", "10.244.1.13")),
                new PolicyRule(0, new Peers.Any(), List.of(tcp(8080)), Optional.of(Set.of(b))),
                new PolicyRule(0, new Peers.Any(), List.of(tcp(9090)), Optional.of(Set.of(c))));
        PolicyRuleset set = compile(List.of(p));
        assertThat(set.ids()).hasSize(1);
        assertThat(set.chains().get("TRELLIS-POLICY-I-0AF4010C")).contains("-p tcp -m tcp --dport 8080 -g TRELLIS-POLICY-RI-1")
                .noneMatch(l -> l.contains("9090"));
        assertThat(set.chains().get("TRELLIS-POLICY-I-0AF4010D")).contains("-p tcp -m tcp --dport 9090 -g TRELLIS-POLICY-RI-1")
                .noneMatch(l -> l.contains("8080"));
    }

    @Test
    void identicalPeersShareOneSetAndChangedPeersGetAnotherName() {
        NetworkPolicyRules p = ingress("ns", "p", List.of(target("ns", "b", "10.244.1.12")),
                rule(0, peers("10.244.1.20/32", "10.244.1.21/32"), tcp(80)),
                rule(1, peers("10.244.1.21/32", "10.244.1.20/32"), udp(80)));
        assertThat(compile(List.of(p)).sets()).hasSize(1);
        NetworkPolicyRules changed = ingress("ns", "p", List.of(target("ns", "b", "10.244.1.12")),
                rule(0, peers("10.244.1.20/32"), tcp(80)));
        assertThat(compile(List.of(changed)).sets().keySet()).doesNotContainAnyElementsOf(compile(List.of(p)).sets().keySet());
    }

    @Test
    void idsAboveTheConnmarkFieldStillEnforceWithoutMarking() {
        RuleKey key = new RuleKey(new PolicyRef("ns", "p"), Direction.INGRESS, 0);
        NetworkPolicyRules p = ingress("ns", "p", List.of(target("ns", "b", "10.244.1.12")), rule(0, new Peers.Any()));
        PolicyRuleset set = PolicyRuleset.compile(List.of(p), Map.of(key, 5000));
        assertThat(set.chains().get("TRELLIS-POLICY-RI-5000")).containsExactly("-m comment --comment \"ns/p ingress[0]\"");
        assertThat(set.chains().get(PolicyNames.COUNT_INGRESS)).noneMatch(l -> l.contains("0x13880000"));
        assertThat(set.chains().get("TRELLIS-POLICY-I-0AF4010C")).contains("-g TRELLIS-POLICY-RI-5000");
    }

    @Test
    void ipv6OnlyTargetsAreNotIsolated() {
        NetworkPolicyRules p = ingress("ns", "p", List.of(target("ns", "v6", "fd00::5")));
        assertThat(compile(List.of(p)).isolations()).isEmpty();
    }

    @Test
    void missingIdIsAnError() {
        NetworkPolicyRules p = ingress("ns", "p", List.of(), rule(0, new Peers.Any()));
        assertThatThrownBy(() -> PolicyRuleset.compile(List.of(p), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ns/p ingress[0]");
    }

    @Test
    void peerPrefixesKeepAnAddressThatAnotherBlockCovers() {
        // 10.1.2.3 is excepted from the first block but inside the second: the union must hold it.
        List<IpPrefix> entries = PeerPrefixes.of(((Peers.Only) block("10.0.0.0/8", "10.1.0.0/16")).blocks().stream()
                .toList());
        List<IpPrefix> withSecond = new ArrayList<>(entries);
        withSecond.addAll(PeerPrefixes.of(((Peers.Only) peers("10.0.0.0/12")).blocks()));
        assertThat(entries.stream().anyMatch(e -> e.contains(Policies.ip("10.1.2.3")))).isFalse();
        assertThat(entries.stream().anyMatch(e -> e.contains(Policies.ip("10.2.0.1")))).isTrue();
        assertThat(withSecond.stream().anyMatch(e -> e.contains(Policies.ip("10.1.2.3")))).isTrue();
    }

    @Test
    void peerPrefixesSplitTheWholeAddressSpace() {
        assertThat(PeerPrefixes.of(((Peers.Only) peers("0.0.0.0/0")).blocks()))
                .containsExactly(IpPrefix.parse("0.0.0.0/1"), IpPrefix.parse("128.0.0.0/1"));
        assertThat(PeerPrefixes.of(((Peers.Only) block("0.0.0.0/0", "10.0.0.0/8")).blocks()))
                .noneMatch(e -> e.contains(Policies.ip("10.20.30.40")))
                .anyMatch(e -> e.contains(Policies.ip("11.0.0.1")))
                .anyMatch(e -> e.contains(Policies.ip("200.1.1.1")));
    }
}
