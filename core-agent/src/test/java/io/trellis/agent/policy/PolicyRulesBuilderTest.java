package io.trellis.agent.policy;

import static io.trellis.agent.policy.PolicyFixtures.NODE;
import static io.trellis.agent.policy.PolicyFixtures.OTHER_NODE;
import static io.trellis.agent.policy.PolicyFixtures.addresses;
import static io.trellis.agent.policy.PolicyFixtures.allOf;
import static io.trellis.agent.policy.PolicyFixtures.block;
import static io.trellis.agent.policy.PolicyFixtures.blocks;
import static io.trellis.agent.policy.PolicyFixtures.egress;
import static io.trellis.agent.policy.PolicyFixtures.groups;
import static io.trellis.agent.policy.PolicyFixtures.host;
import static io.trellis.agent.policy.PolicyFixtures.ingress;
import static io.trellis.agent.policy.PolicyFixtures.local;
import static io.trellis.agent.policy.PolicyFixtures.member;
import static io.trellis.agent.policy.PolicyFixtures.policy;
import static io.trellis.agent.policy.PolicyFixtures.policyRef;
import static io.trellis.agent.policy.PolicyFixtures.port;
import static io.trellis.agent.policy.PolicyFixtures.range;
import static io.trellis.agent.policy.PolicyFixtures.rangePort;
import static io.trellis.agent.policy.PolicyFixtures.ref;
import static io.trellis.agent.policy.PolicyFixtures.target;
import static io.trellis.agent.policy.PolicyFixtures.tcp;
import static io.trellis.agent.policy.PolicyFixtures.udp;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.controlplane.policy.AddressGroup;
import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.controlplane.policy.RulePeers;
import io.trellis.controlplane.policy.RulePort;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IpBlock;
import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.Peers;
import io.trellis.spi.policy.PolicyRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PolicyRulesBuilderTest {
    private final PolicyRulesBuilder builder = new PolicyRulesBuilder();

    private static final PodMember A = local("x/a", "10.0.1.10", tcp("http", 80), udp("dns", 53));
    private static final PodMember B = local("x/b", "10.0.1.11", tcp("http", 8080));
    private static final PodMember C = local("x/c", "10.0.1.12", tcp("http", 80));
    private static final PodMember D = local("x/d", "10.0.1.13");

    private NetworkPolicyRules build(InternalPolicy policy, List<PodMember> targets, AddressGroup... groups) {
        Map<String, AddressGroup> byName = java.util.Arrays.stream(groups)
                .collect(Collectors.toMap(AddressGroup::name, g -> g));
        return builder.build(policy, targets, n -> Optional.ofNullable(byName.get(n))).orElseThrow();
    }

    private static PolicyRule rule(int index, Peers peers, List<io.trellis.spi.policy.PortMatch> ports, String... targets) {
        return new PolicyRule(index, peers, ports, targets.length == 0 ? Optional.empty()
                : Optional.of(java.util.Arrays.stream(targets).map(PolicyFixtures::ref).collect(Collectors.toSet())));
    }

    private static Peers.Only only(IpBlock... blocks) {
        return new Peers.Only(List.of(blocks));
    }

    @Test
    void ruleWithoutPeersAllowsAnyPeerOnEveryPort() {
        NetworkPolicyRules rules = build(policy("u1", "x/allow-all", "atg", ingress(0, RulePeers.ANY)), List.of(B, A));

        assertThat(rules.ref()).isEqualTo(policyRef("x/allow-all"));
        assertThat(rules.appliedTo()).containsExactly(target("x/a", "10.0.1.10"), target("x/b", "10.0.1.11"));
        assertThat(rules.isolates()).containsExactly(Direction.INGRESS);
        assertThat(rules.ingress()).containsExactly(new PolicyRule(0, new Peers.Any(), List.of()));
        assertThat(rules.egress()).isEmpty();
    }

    @Test
    void addressGroupMembersBecomeHostBlocksNextToTheRuleIpBlocks() {
        PodMember v6 = new PodMember(ref("y/v6"), OTHER_NODE, List.of(PolicyFixtures.ip("fd00::5"),
                PolicyFixtures.ip("10.0.2.5")), List.of());
        PodMember remote = member("y/r", OTHER_NODE, "10.0.2.1");
        InternalPolicy p = policy("u1", "x/from-y", "atg",
                ingress(0, RulePeers.of(List.of("g1", "g2"), List.of(block("192.168.0.0/16", "192.168.1.0/24")))));

        // remote is in both groups: listed once.
        NetworkPolicyRules rules = build(p, List.of(A), addresses("g1", remote, v6), addresses("g2", remote));

        assertThat(rules.ingress()).containsExactly(new PolicyRule(0, only(host("10.0.2.1"), host("10.0.2.5"),
                block("192.168.0.0/16", "192.168.1.0/24"), host("fd00::5")), List.of()));
    }

    @Test
    void anAddressGroupNotReceivedOrEmptyAllowsNobodyButTheIpBlocks() {
        InternalPolicy p = policy("u1", "x/p", "atg", ingress(0, groups("missing", "empty")),
                ingress(1, RulePeers.of(List.of("missing"), List.of(block("10.9.0.0/16")))));

        NetworkPolicyRules rules = build(p, List.of(A), addresses("empty"));

        assertThat(rules.ingress()).containsExactly(new PolicyRule(0, only(), List.of()),
                new PolicyRule(1, only(block("10.9.0.0/16")), List.of()));
    }

    @Test
    void numericPortsRangesAndProtocolOnlyPortsAreSortedWithoutDuplicates() {
        InternalPolicy p = policy("u1", "x/ports", "atg", ingress(0, RulePeers.ANY,
                RulePort.number(Protocol.UDP, 53), rangePort(Protocol.TCP, 8000, 8100), RulePort.number(Protocol.TCP, 80),
                RulePort.anyPort(Protocol.SCTP), RulePort.number(Protocol.TCP, 80)));

        NetworkPolicyRules rules = build(p, List.of(A));

        assertThat(rules.ingress()).containsExactly(new PolicyRule(0, new Peers.Any(), List.of(port(Protocol.TCP, 80),
                range(Protocol.TCP, 8000, 8100), port(Protocol.UDP, 53), allOf(Protocol.SCTP))));
    }

    @Test
    void namedIngressPortIsResolvedPerTargetPodAndSplitByResolution() {
        InternalPolicy p = policy("u1", "x/named", "atg", ingress(0, groups("g"), RulePort.named(Protocol.TCP, "http")));
        PodMember peer = member("y/p", OTHER_NODE, "10.0.2.1");

        NetworkPolicyRules rules = build(p, List.of(A, B, C, D), addresses("g", peer));

        // d has no port named http: no rule applies to it (it stays isolated).
        Peers peers = only(host("10.0.2.1"));
        assertThat(rules.appliedTo()).hasSize(4);
        assertThat(rules.ingress()).containsExactly(
                rule(0, peers, List.of(port(Protocol.TCP, 80)), "x/a", "x/c"),
                rule(0, peers, List.of(port(Protocol.TCP, 8080)), "x/b"));
    }

    @Test
    void namedEgressPortIsResolvedPerPeerPodAndSplitByResolution() {
        InternalPolicy p = policy("u1", "x/named-out", "atg", egress(0,
                RulePeers.of(List.of("g"), List.of(block("172.16.0.0/12"))), RulePort.named(Protocol.TCP, "http")));
        PodMember p80 = member("y/p80", OTHER_NODE, "10.0.2.1", tcp("http", 80));
        PodMember p8080 = member("y/p8080", OTHER_NODE, "10.0.2.2", tcp("http", 8080));
        PodMember other80 = member("z/q80", NODE, "10.0.1.50", tcp("http", 80));
        PodMember none = member("y/none", OTHER_NODE, "10.0.2.3", udp("http", 80));

        NetworkPolicyRules rules = build(p, List.of(A), addresses("g", p80, p8080, other80, none));

        // UDP "http" does not match a TCP named port; the ipBlock cannot match a named port.
        assertThat(rules.isolates()).containsExactlyInAnyOrder(Direction.INGRESS, Direction.EGRESS);
        assertThat(rules.egress()).containsExactly(
                new PolicyRule(0, only(host("10.0.1.50"), host("10.0.2.1")), List.of(port(Protocol.TCP, 80))),
                new PolicyRule(0, only(host("10.0.2.2")), List.of(port(Protocol.TCP, 8080))));
    }

    @Test
    void numericAndNamedPortsOfOneIngressRuleCombine() {
        InternalPolicy p = policy("u1", "x/mixed", "atg", ingress(3, RulePeers.ANY,
                RulePort.number(Protocol.TCP, 443), RulePort.named(Protocol.TCP, "http"), RulePort.named(Protocol.UDP, "dns")));

        NetworkPolicyRules rules = build(p, List.of(A, B, D));

        assertThat(rules.ingress()).containsExactly(
                rule(3, new Peers.Any(), List.of(port(Protocol.TCP, 80), port(Protocol.TCP, 443), port(Protocol.UDP, 53)),
                        "x/a"),
                rule(3, new Peers.Any(), List.of(port(Protocol.TCP, 443)), "x/d"),
                rule(3, new Peers.Any(), List.of(port(Protocol.TCP, 443), port(Protocol.TCP, 8080)), "x/b"));
    }

    @Test
    void numericAndNamedPortsOfOneEgressRuleCombineAndIpBlocksGetTheNumericOnes() {
        InternalPolicy p = policy("u1", "x/mixed-out", "atg", egress(0,
                RulePeers.of(List.of("g"), List.of(block("172.16.0.0/12"))), RulePort.number(Protocol.TCP, 443),
                RulePort.named(Protocol.TCP, "http")));
        PodMember p80 = member("y/p80", OTHER_NODE, "10.0.2.1", tcp("http", 80));
        PodMember bare = member("y/bare", OTHER_NODE, "10.0.2.3");

        NetworkPolicyRules rules = build(p, List.of(A), addresses("g", p80, bare));

        assertThat(rules.egress()).containsExactly(
                new PolicyRule(0, only(host("10.0.2.1")), List.of(port(Protocol.TCP, 80), port(Protocol.TCP, 443))),
                new PolicyRule(0, only(host("10.0.2.3"), block("172.16.0.0/12")), List.of(port(Protocol.TCP, 443))));
    }

    @Test
    void aRuleWhoseNamesResolveForNoPodIsNotPassedAtAll() {
        InternalPolicy p = policy("u1", "x/unresolved", "atg",
                ingress(0, RulePeers.ANY, RulePort.named(Protocol.TCP, "metrics")),
                ingress(1, RulePeers.ANY, RulePort.named(Protocol.TCP, "dns")),   // a's dns is UDP
                ingress(2, RulePeers.ANY, RulePort.number(Protocol.TCP, 22)),
                egress(0, groups("g"), RulePort.named(Protocol.TCP, "metrics")));

        NetworkPolicyRules rules = build(p, List.of(A, B), addresses("g", member("y/p", OTHER_NODE, "10.0.2.1")));

        assertThat(rules.ingress()).containsExactly(new PolicyRule(2, new Peers.Any(), List.of(port(Protocol.TCP, 22))));
        assertThat(rules.egress()).isEmpty();
        assertThat(rules.isolates()).contains(Direction.EGRESS);
    }

    @Test
    void egressNamedPortWithoutPeersKeepsOnlyTheNumericPorts() {
        InternalPolicy p = policy("u1", "x/any-out", "atg",
                egress(0, RulePeers.ANY, RulePort.named(Protocol.TCP, "http"), RulePort.number(Protocol.UDP, 53)),
                egress(1, RulePeers.ANY, RulePort.named(Protocol.TCP, "http")));

        NetworkPolicyRules rules = build(p, List.of(A));

        assertThat(rules.egress()).containsExactly(new PolicyRule(0, new Peers.Any(), List.of(port(Protocol.UDP, 53))));
    }

    @Test
    void noLocalTargetGivesNoRules() {
        InternalPolicy p = policy("u1", "x/p", "atg", ingress(0, RulePeers.ANY));

        assertThat(builder.build(p, List.of(), n -> Optional.empty())).isEmpty();
    }

    @Test
    void rulesKeepTheirIndexAndDirection() {
        InternalPolicy p = policy("u1", "x/p", "atg", ingress(0, RulePeers.ANY, RulePort.number(Protocol.TCP, 1)),
                ingress(1, blocks(block("10.0.0.0/8"))), egress(0, RulePeers.ANY, RulePort.number(Protocol.UDP, 2)));

        NetworkPolicyRules rules = build(p, List.of(A));

        assertThat(rules.ingress()).extracting(PolicyRule::index).containsExactly(0, 1);
        assertThat(rules.egress()).containsExactly(new PolicyRule(0, new Peers.Any(), List.of(port(Protocol.UDP, 2))));
    }

    @Test
    void theSameInputsInAnyOrderGiveEqualRecords() {
        Random random = new Random(42);
        List<PodMember> peers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            peers.add(member("y/p" + i, OTHER_NODE, "10.0.2." + (i + 1), tcp("http", 80 + (i % 3))));
        }
        List<RulePort> ports = List.of(RulePort.named(Protocol.TCP, "http"), RulePort.number(Protocol.TCP, 443),
                RulePort.number(Protocol.UDP, 53), rangePort(Protocol.TCP, 9000, 9100));
        List<PodMember> targets = new ArrayList<>(List.of(A, B, C, D));
        NetworkPolicyRules first = null;
        for (int round = 0; round < 20; round++) {
            Collections.shuffle(peers, random);
            Collections.shuffle(targets, random);
            List<RulePort> shuffledPorts = new ArrayList<>(ports);
            Collections.shuffle(shuffledPorts, random);
            InternalPolicy p = policy("u1", "x/p",
                    "atg", ingress(0, groups("g"), shuffledPorts.toArray(RulePort[]::new)),
                    egress(0, RulePeers.of(List.of("g"), List.of(block("10.1.0.0/16"), block("10.0.0.0/16"))),
                            shuffledPorts.toArray(RulePort[]::new)));
            NetworkPolicyRules rules = build(p, targets, addresses("g", peers.toArray(PodMember[]::new)));
            if (first == null) {
                first = rules;
                // egress splits by the three http numbers 80, 81, 82 (each with the numeric ports), plus the
                // ipBlocks with the numeric ports alone
                assertThat(first.egress()).hasSize(4);
            } else {
                assertThat(rules).isEqualTo(first);
            }
        }
    }

    @Test
    void splitRulesNameEveryResolvingTargetExactlyOnce() {
        InternalPolicy p = policy("u1", "x/p", "atg", ingress(0, RulePeers.ANY, RulePort.named(Protocol.TCP, "http")));

        NetworkPolicyRules rules = build(p, List.of(A, B, C, D));

        Set<PodRef> covered = new java.util.HashSet<>();
        for (PolicyRule r : rules.ingress()) {
            Set<PodRef> t = r.targets().orElseThrow();
            assertThat(Collections.disjoint(t, covered)).as("%s named by two rules", t).isTrue();
            covered.addAll(t);
        }
        assertThat(covered).containsExactlyInAnyOrder(ref("x/a"), ref("x/b"), ref("x/c"));
        Function<PodRef, List<io.trellis.spi.policy.PortMatch>> portsOf = pod -> rules.ingress().stream()
                .filter(r -> r.appliesTo(pod)).flatMap(r -> r.ports().stream()).toList();
        assertThat(portsOf.apply(ref("x/b"))).containsExactly(port(Protocol.TCP, 8080));
        assertThat(portsOf.apply(ref("x/d"))).isEmpty();
    }
}
