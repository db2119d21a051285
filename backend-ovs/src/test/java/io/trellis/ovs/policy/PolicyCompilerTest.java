package io.trellis.ovs.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.message.FlowStats;
import io.trellis.ovs.pipeline.CookieScheme;
import io.trellis.ovs.pipeline.PipelineStage;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IpBlock;
import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.Peers;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyRule;
import io.trellis.spi.policy.PolicyStatistics;
import io.trellis.spi.policy.PolicyTarget;
import io.trellis.spi.policy.PortMatch;
import io.trellis.spi.policy.RuleCounters;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import io.trellis.ovs.openflow.match.Match;
import org.junit.jupiter.api.Test;

class PolicyCompilerTest {
    private static final PolicyRef REF = new PolicyRef("ns", "p");
    private static final PodRef A = new PodRef("ns", "a");
    private static final PodRef B = new PodRef("ns", "b");

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    /** Rule 0 split for a named port: port 8080 on pod a, 9090 on pod b. */
    private NetworkPolicyRules policy() throws Exception {
        return new NetworkPolicyRules(REF, List.of(new PolicyTarget(A, List.of(ip("10.20.0.11"))),
                new PolicyTarget(B, List.of(ip("10.20.0.12"), ip("fd00::12")))),
                Set.of(Direction.INGRESS), List.of(
                        new PolicyRule(0, new Peers.Any(), List.of(PortMatch.of(Protocol.TCP, 8080)), Optional.of(Set.of(A))),
                        new PolicyRule(0, new Peers.Any(), List.of(PortMatch.of(Protocol.TCP, 9090)), Optional.of(Set.of(B))),
                        new PolicyRule(1, new Peers.Only(List.of(new IpBlock(IpPrefix.parse("10.0.0.0/8"),
                                List.of(IpPrefix.parse("10.20.0.0/16"))), IpBlock.of(IpPrefix.parse("fd00::/64")))),
                                List.of())),
                List.of());
    }

    @Test
    void splitRulesArePartsOfOneIndexWithTheirOwnTargets() throws Exception {
        List<RuleKey> keys = PolicyCompiler.keys(policy());
        assertThat(keys).containsExactly(new RuleKey(REF, Direction.INGRESS, 0, 0), new RuleKey(REF, Direction.INGRESS, 0, 1),
                new RuleKey(REF, Direction.INGRESS, 1, 0));
        PolicyCompiler.Compiled c = PolicyCompiler.compile(List.of(policy()), RuleIds.assign(Map.of(), keys));
        assertThat(c.rules()).hasSize(3);
        assertThat(c.rules().get(0).targets()).extracting(InetAddress::getHostAddress).containsExactly("10.20.0.11");
        assertThat(c.rules().get(1).targets()).extracting(InetAddress::getHostAddress).containsExactly("10.20.0.12");
        // IPv6 blocks and addresses left out; the except decomposed.
        assertThat(c.rules().get(2).peers().orElseThrow()).extracting(Object::toString)
                .containsExactly("10.0.0.0/12", "10.16.0.0/14", "10.21.0.0/16", "10.22.0.0/15", "10.24.0.0/13",
                        "10.32.0.0/11", "10.64.0.0/10", "10.128.0.0/9");
        assertThat(c.isolations()).hasSize(2);
    }

    @Test
    void idsAreStableWhileRulesExistAndReusedAfterRemoval() {
        RuleKey r0 = new RuleKey(REF, Direction.INGRESS, 0, 0);
        RuleKey r1 = new RuleKey(REF, Direction.INGRESS, 1, 0);
        RuleKey r2 = new RuleKey(REF, Direction.EGRESS, 0, 0);
        Map<RuleKey, Long> first = RuleIds.assign(Map.of(), List.of(r0, r1, r2));
        assertThat(first).containsEntry(r0, 1L).containsEntry(r1, 2L).containsEntry(r2, 3L);
        Map<RuleKey, Long> second = RuleIds.assign(first, List.of(r2, r0));
        assertThat(second).containsEntry(r0, 1L).containsEntry(r2, 3L).hasSize(2);
        RuleKey r3 = new RuleKey(new PolicyRef("ns", "q"), Direction.INGRESS, 0, 0);
        assertThat(RuleIds.assign(second, List.of(r0, r2, r3))).containsEntry(r3, 2L);
    }

    @Test
    void statisticsAddUpThePartsOfASplitRule() throws Exception {
        List<RuleKey> keys = PolicyCompiler.keys(policy());
        PolicyCompiler.Compiled c = PolicyCompiler.compile(List.of(policy()), RuleIds.assign(Map.of(), keys));
        CookieScheme cookies = CookieScheme.DEFAULT;
        List<FlowStats> flows = new ArrayList<>();
        flows.add(stats(cookies.policy(PipelineStage.INGRESS_POLICY, 1), 3, 300)); // part 0 sessions
        flows.add(stats(cookies.policy(PipelineStage.INGRESS_POLICY, 2), 2, 200)); // part 1 sessions
        flows.add(stats(cookies.policy(PipelineStage.INGRESS_METRIC, 1), 10, 1000));
        flows.add(stats(cookies.policy(PipelineStage.INGRESS_POLICY, 0), 99, 9900)); // a clause: no rule
        List<FlowStats> drops = List.of(stats(cookies.policyIsolation(PipelineStage.INGRESS_POLICY,
                (java.net.Inet4Address) ip("10.20.0.12")), 4, 240));
        PolicyStatistics s = OvsPolicyEnforcer.summarize(c, flows, drops);
        assertThat(s.rules()).containsExactly(new RuleCounters(REF, Direction.INGRESS, 0, 5, 15, 1500),
                new RuleCounters(REF, Direction.INGRESS, 1, 0, 0, 0));
        assertThat(s.isolationDrops()).extracting(d -> d.pod().name() + " " + d.packets())
                .containsExactlyInAnyOrder("a 0", "b 4");
    }

    private static FlowStats stats(long cookie, long packets, long bytes) {
        return FlowStats.of(0, 1, 0, 200, 0, 0, 0, 0, cookie, packets, bytes, Match.ANY, List.of());
    }
}
