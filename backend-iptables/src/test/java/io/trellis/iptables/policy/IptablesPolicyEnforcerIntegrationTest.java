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

import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IsolationDropCounters;
import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.Peers;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyStatistics;
import io.trellis.spi.policy.RuleCounters;
import io.trellis.spi.policy.PortMatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The enforcer against the real kernel ({@link PolicyTestNet}: pods a .11, b .12, c .13, d .14 on the
 * bridge trellis0 of a node namespace, bridge-nf-call-iptables on). Needs root, iproute2, iptables,
 * ipset and python3; fails without them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IptablesPolicyEnforcerIntegrationTest {

    private PolicyTestNet net;
    private PolicyTools tools;
    private IptablesPolicyEnforcer enforcer;

    @BeforeAll
    void buildNetwork() throws IOException {
        net = new PolicyTestNet();
        try {
            net.createNode();
            net.addPod("a", "10.244.1.11");
            net.addPod("b", "10.244.1.12");
            net.addPod("c", "10.244.1.13");
            net.addPod("d", "10.244.1.14");
            tools = net.tools();
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
    }

    @AfterAll
    void removeNetwork() throws IOException {
        if (net != null) {
            net.close();
        }
    }

    @BeforeEach
    void newEnforcer() {
        net.nodeExec("conntrack -F");
        enforcer = new IptablesPolicyEnforcer(tools);
    }

    @AfterEach
    void removePolicies() {
        IptablesPolicyEnforcer.uninstall(tools);
    }

    private NetworkPolicyRules onB(String name, PolicyRuleLike... rules) {
        return ingress("x", name, List.of(target("x", "b", "10.244.1.12")), build(rules));
    }

    /** Brevity: rules as lambdas of their index. */
    @FunctionalInterface
    private interface PolicyRuleLike {
        io.trellis.spi.policy.PolicyRule at(int index);
    }

    private static io.trellis.spi.policy.PolicyRule[] build(PolicyRuleLike... rules) {
        io.trellis.spi.policy.PolicyRule[] out = new io.trellis.spi.policy.PolicyRule[rules.length];
        for (int i = 0; i < rules.length; i++) {
            out[i] = rules[i].at(i);
        }
        return out;
    }

    @Test
    void defaultDenyIngressThenAllowFromAPeerSet() {
        assertThat(net.reaches("a", "b", "tcp", 80)).as("no policy yet").isTrue();
        enforcer.replaceAll(List.of(onB("deny-all")));
        assertThat(net.reaches("a", "b", "tcp", 80)).as("isolated b").isFalse();
        assertThat(net.reaches("a", "b", "udp", 80)).as("isolated b, udp").isFalse();
        assertThat(net.reaches("d", "a", "tcp", 80)).as("a is not isolated").isTrue();
        assertThat(net.reaches("b", "a", "tcp", 80)).as("b's egress is not isolated, replies pass").isTrue();

        enforcer.upsert(onB("deny-all", i -> rule(i, peers("10.244.1.11/32", "10.244.1.14/32"), tcp(80))));
        assertThat(net.reaches("a", "b", "tcp", 80)).isTrue();
        assertThat(net.reaches("d", "b", "tcp", 80)).isTrue();
        assertThat(net.reaches("a", "b", "tcp", 81)).as("port not allowed").isFalse();
        assertThat(net.reaches("c", "b", "tcp", 80)).as("peer not allowed").isFalse();
    }

    @Test
    void ipBlockWithExceptPortRangesAndUdp() {
        enforcer.replaceAll(List.of(onB("block", i -> rule(i, block("10.244.1.0/24", "10.244.1.13/32"),
                range(Protocol.TCP, 80, 81)))));
        assertThat(net.reaches("a", "b", "tcp", 80)).isTrue();
        assertThat(net.reaches("a", "b", "tcp", 81)).as("endPort").isTrue();
        assertThat(net.reaches("c", "b", "tcp", 80)).as("except").isFalse();
        assertThat(net.reaches("a", "b", "udp", 80)).as("tcp only").isFalse();

        enforcer.upsert(onB("block", i -> rule(i, block("10.244.1.0/24", "10.244.1.13/32"),
                range(Protocol.TCP, 80, 81)), i -> rule(i, new Peers.Any(), udp(80))));
        assertThat(net.reaches("a", "b", "udp", 80)).isTrue();
        assertThat(net.reaches("c", "b", "udp", 80)).as("second rule allows anyone on udp").isTrue();
        assertThat(net.reaches("c", "b", "tcp", 81)).isFalse();
    }

    @Test
    void egressIsolationAndTwoIsolatedEnds() {
        NetworkPolicyRules aOut = egress("x", "a-out", List.of(target("x", "a", "10.244.1.11")),
                rule(0, peers("10.244.1.12/32"), tcp(80)), rule(1, peers("10.244.1.13/32"),
                        new PortMatch(Protocol.UDP, OptionalInt.empty(), OptionalInt.empty())));
        enforcer.replaceAll(List.of(aOut));
        assertThat(net.reaches("a", "b", "tcp", 80)).isTrue();
        assertThat(net.reaches("a", "b", "tcp", 81)).isFalse();
        assertThat(net.reaches("a", "c", "tcp", 80)).isFalse();
        assertThat(net.reaches("a", "c", "udp", 80)).as("every udp port of c").isTrue();
        assertThat(net.reaches("a", "b", "udp", 80)).isFalse();
        assertThat(net.reaches("d", "a", "tcp", 80)).as("a's ingress is open; its replies pass").isTrue();

        // b's ingress isolated too: a -> b:80 must pass a's egress AND b's ingress.
        enforcer.upsert(onB("b-in", i -> rule(i, peers("10.244.1.14/32"))));
        assertThat(net.reaches("a", "b", "tcp", 80)).as("b's ingress does not allow a").isFalse();
        assertThat(net.reaches("d", "b", "tcp", 81)).isTrue();
        enforcer.upsert(onB("b-in", i -> rule(i, peers("10.244.1.14/32", "10.244.1.11/32"))));
        assertThat(net.reaches("a", "b", "tcp", 80)).isTrue();
        assertThat(net.reaches("a", "b", "tcp", 81)).as("a's egress still limits").isFalse();

        enforcer.remove(new PolicyRef("x", "a-out"));
        assertThat(net.reaches("a", "c", "tcp", 80)).as("removed").isTrue();
    }

    @Test
    void establishedConnectionsSurviveADenyAndRemovalReopens() throws IOException {
        enforcer.replaceAll(List.of(onB("web", i -> rule(i, peers("10.244.1.11/32"), tcp(80)))));
        PolicyTestNet.Session session = net.session("a", "b", 80);
        enforcer.upsert(onB("web"));
        assertThat(net.reaches("a", "b", "tcp", 80)).as("new connection denied").isFalse();
        assertThat(session.exchange()).as("established connection kept").isEqualTo("b");
        enforcer.remove(new PolicyRef("x", "web"));
        assertThat(net.reaches("c", "b", "tcp", 80)).isTrue();
        assertThat(net.nodeExec("iptables-save -t filter")).doesNotContain("-I-0AF4010C");
    }

    @Test
    void statisticsCountSessionsPacketsAndIsolationDrops() {
        enforcer.replaceAll(List.of(onB("web", i -> rule(i, peers("10.244.1.11/32"), tcp(80)),
                i -> rule(i, peers("10.244.1.14/32"), tcp(81)))));
        int n = 7;
        for (int k = 0; k < n; k++) {
            assertThat(net.reaches("a", "b", "tcp", 80)).isTrue();
        }
        assertThat(net.reaches("c", "b", "tcp", 80)).isFalse();
        assertThat(net.reaches("c", "b", "udp", 80)).isFalse();
        PolicyStatistics stats = enforcer.statistics();
        PolicyRef web = new PolicyRef("x", "web");
        RuleCounters first = stats.rules().stream().filter(r -> r.index() == 0).findFirst().orElseThrow();
        assertThat(first.ref()).isEqualTo(web);
        assertThat(first.sessions()).isEqualTo(n);
        // Each connection: SYN (evaluated), then at least SYN-ACK, ACK, request, answer, FINs.
        assertThat(first.packets()).isGreaterThanOrEqualTo(6L * n);
        assertThat(first.bytes()).isGreaterThan(first.packets() * 40);
        assertThat(stats.rules()).contains(new RuleCounters(web, Direction.INGRESS, 1, 0, 0, 0));
        IsolationDropCounters drops = stats.isolationDrops().get(0);
        assertThat(drops.pod()).isEqualTo(new PodRef("x", "b"));
        assertThat(drops.direction()).isEqualTo(Direction.INGRESS);
        assertThat(drops.packets()).isGreaterThanOrEqualTo(2);

        // An update of the pod chain keeps the drop counter counting (counters carried over).
        enforcer.upsert(onB("web", i -> rule(i, peers("10.244.1.11/32"), tcp(80)),
                i -> rule(i, peers("10.244.1.14/32"), tcp(82))));
        PolicyStatistics after = enforcer.statistics();
        assertThat(after.isolationDrops().get(0).packets()).isGreaterThanOrEqualTo(drops.packets());
        assertThat(after.rules().get(0).sessions()).isEqualTo(n);
    }

    @Test
    void aRestartedEnforcerConvergesWithoutRewritingAndRemovesStaleState() {
        NetworkPolicyRules keep = onB("keep", i -> rule(i, peers("10.244.1.11/32"), tcp(80)));
        NetworkPolicyRules gone = egress("x", "gone", List.of(target("x", "c", "10.244.1.13")),
                rule(0, peers("10.244.1.14/32")));
        NetworkPolicyRules later = ingress("x", "later", List.of(target("x", "b", "10.244.1.12")),
                rule(0, peers("10.244.1.14/32"), tcp(81)));
        enforcer.replaceAll(List.of(keep, gone));
        enforcer.upsert(later);
        assertThat(net.reaches("a", "b", "tcp", 80)).isTrue();
        assertThat(sets()).as("gone and later share the set of .14").hasSize(2);
        RuleKey keepKey = new RuleKey(new PolicyRef("x", "keep"), Direction.INGRESS, 0);
        assertThat(enforcer.installed().ids()).containsEntry(keepKey, 1);

        // Listed in another order, a fresh assignment would give "later" id 1: the ids are read back instead.
        IptablesPolicyEnforcer restarted = new IptablesPolicyEnforcer(tools);
        restarted.replaceAll(List.of(later, keep, gone));
        assertThat(restarted.installed().ids()).isEqualTo(enforcer.installed().ids());
        assertThat(ruleChainCounter()).as("same id, chain not rewritten: counter kept").startsWith("[1:");

        restarted.replaceAll(List.of(keep));
        String saved = net.nodeExec("iptables-save -t filter");
        assertThat(saved).doesNotContain("TRELLIS-POLICY-E-0AF4010D").doesNotContain("TRELLIS-POLICY-RE-");
        assertThat(saved.lines().filter(l -> l.endsWith("-j TRELLIS-POLICY"))).hasSize(2);
        assertThat(sets()).hasSize(1);
        assertThat(net.reaches("c", "d", "tcp", 80)).isTrue();
        assertThat(net.reaches("c", "b", "tcp", 80)).isFalse();

        // The generated rules are exactly what iptables-save prints: nothing left to do.
        assertThat(RestorePlan.of(restarted.installed(), tools.saveFilter())).isEmpty();
    }

    @Test
    void uninstallRemovesEverythingOfOursOnly() {
        net.nodeExec("iptables -N TRELLIS-POD-FORWARD");
        net.nodeExec("iptables -A FORWARD -j TRELLIS-POD-FORWARD");
        net.nodeExec("ipset create KUBE-OTHER hash:ip");
        try {
            enforcer.replaceAll(List.of(onB("p", i -> rule(i, peers("10.244.1.11/32"), tcp(80)))));
            IptablesPolicyEnforcer.uninstall(tools);
            IptablesPolicyEnforcer.uninstall(tools); // idempotent
            String saved = net.nodeExec("iptables-save");
            assertThat(saved).doesNotContain("TRELLIS-POLICY").contains("-A FORWARD -j TRELLIS-POD-FORWARD");
            assertThat(net.nodeExec("ipset list -n")).doesNotContain("TRELLIS-POL").contains("KUBE-OTHER");
            assertThat(net.reaches("c", "b", "tcp", 80)).isTrue();
        } finally {
            net.nodeExec("iptables -D FORWARD -j TRELLIS-POD-FORWARD");
            net.nodeExec("iptables -X TRELLIS-POD-FORWARD");
            net.nodeExec("ipset destroy KUBE-OTHER");
        }
    }

    @Test
    void iptablesRestoreTestAcceptsARichRuleset() {
        List<PortMatch> many = new ArrayList<>();
        for (int p = 1000; p < 1020; p++) {
            many.add(tcp(p));
        }
        many.add(range(Protocol.TCP, 2000, 3000));
        many.add(PortMatch.of(Protocol.SCTP, 9));
        many.add(range(Protocol.UDP, 53, 54));
        NetworkPolicyRules rich = new NetworkPolicyRules(new PolicyRef("y", "rich"),
                List.of(target("y", "a", "10.244.1.11"), target("y", "b", "10.244.1.12")),
                java.util.Set.of(Direction.INGRESS, Direction.EGRESS),
                List.of(new io.trellis.spi.policy.PolicyRule(0, block("0.0.0.0/0", "10.0.0.0/8", "192.168.0.0/16"), many)),
                List.of(rule(0, new Peers.Any(), udp(53)), rule(1, peers("10.244.1.0/24"))));
        List<RuleKey> keys = PolicyRuleset.keys(rich);
        Map<RuleKey, Integer> ids = new java.util.HashMap<>(RuleIds.assign(Map.of(), keys));
        ids.put(keys.get(0), 4096); // beyond the connmark field: enforced without marking
        PolicyRuleset set = PolicyRuleset.compile(List.of(rich), ids);
        tools.ipsetRestore(IpsetPlan.prepare(set.sets(), java.util.Set.of(), java.util.Set.of()));
        tools.test(RestorePlan.of(set, SavedFilter.EMPTY));
        assertThat(net.nodeExec("iptables-save -t filter")).as("--test commits nothing").doesNotContain("TRELLIS-POLICY");
        tools.ipsetRestore(IpsetPlan.cleanup(Map.of(), tools.listSets()));
    }

    private List<String> sets() {
        return net.nodeExec("ipset list -n").lines().filter(l -> l.startsWith("TRELLIS-POL")).toList();
    }

    private String ruleChainCounter() {
        return net.nodeExec("iptables-save -c -t filter").lines().filter(l -> l.contains("-A TRELLIS-POLICY-RI-1 "))
                .findFirst().orElseThrow();
    }
}
