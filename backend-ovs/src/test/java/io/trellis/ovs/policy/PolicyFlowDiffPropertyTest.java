package io.trellis.ovs.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import io.trellis.ovs.pipeline.CookieScheme;
import io.trellis.ovs.pipeline.FlowLine;
import io.trellis.ovs.pipeline.Pipeline;
import io.trellis.ovs.pipeline.PipelineFlows;
import io.trellis.ovs.pipeline.PolicyFlows;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IpBlock;
import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.Peers;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyRule;
import io.trellis.spi.policy.PolicyTarget;
import io.trellis.spi.policy.PortMatch;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Property of the incremental bundles ({@link OvsPolicyEnforcer#difference}): after any sequence of
 * policy sets (rule ids reused lowest-free-first), the switch's policy flows, simulated with OVS's
 * flow_mod semantics (one flow per table, priority and match; an add replaces it; a strict delete
 * removes it), equal a from-scratch install of the last set.
 */
class PolicyFlowDiffPropertyTest {

    private final PolicyFlows flows = PolicyFlows.of(new PipelineFlows(Pipeline.withPolicy(), CookieScheme.DEFAULT,
            PipelineFlows.DEFAULT_CT_ZONE));

    @Test
    void incrementalBundlesLeaveTheFlowsOfAFromScratchInstall() {
        for (long seed = 1; seed <= 300; seed++) {
            Random random = new Random(seed);
            Map<RuleKey, Long> ids = Map.of();
            Map<String, FlowMod> installed = Map.of();
            Map<String, FlowLine> sw = new TreeMap<>();
            List<String> history = new ArrayList<>();
            for (int step = 0; step < 12; step++) {
                List<NetworkPolicyRules> set = randomSet(random);
                history.add(set.toString());
                List<RuleKey> keys = new ArrayList<>();
                set.forEach(p -> keys.addAll(PolicyCompiler.keys(p)));
                ids = RuleIds.assign(ids, keys);
                PolicyCompiler.Compiled compiled = PolicyCompiler.compile(set, ids);
                List<FlowMod> next = flows.ruleFlows(compiled.rules(), compiled.isolations());
                Map<String, FlowMod> nextInstalled = new LinkedHashMap<>();
                next.forEach(f -> nextInstalled.put(PolicyFlows.key(f), f));
                apply(sw, OvsPolicyEnforcer.difference(installed, nextInstalled));
                installed = nextInstalled;

                Map<String, FlowLine> scratch = new TreeMap<>();
                apply(scratch, next);
                assertThat(new TreeSet<>(sw.values())).as("seed %d step %d, policy sets:%n%s", seed, step,
                        String.join("\n", history)).containsExactlyElementsOf(new TreeSet<>(scratch.values()));
            }
        }
    }

    /** OVS flow_mod semantics on one switch's policy flows, keyed by table, priority and match. */
    private static void apply(Map<String, FlowLine> sw, List<FlowMod> bundle) {
        for (FlowMod mod : bundle) {
            if (mod.command() == FlowModCommand.DELETE_STRICT) {
                sw.remove(PolicyFlows.key(mod));
            } else if (mod.command() == FlowModCommand.ADD) {
                sw.put(PolicyFlows.key(mod), FlowLine.of(mod));
            } else {
                throw new AssertionError("unexpected flow_mod " + mod.command() + " in an incremental bundle");
            }
        }
    }

    // ------------------------------------------------------------------ random policies

    private static final String[] PODS = {"a", "b", "c", "d"};

    private static List<NetworkPolicyRules> randomSet(Random random) {
        List<NetworkPolicyRules> set = new ArrayList<>();
        for (String name : List.of("p1", "p2", "p3")) {
            if (random.nextInt(3) > 0) {
                set.add(randomPolicy(random, name));
            }
        }
        return set;
    }

    private static NetworkPolicyRules randomPolicy(Random random, String name) {
        List<PolicyTarget> targets = new ArrayList<>();
        for (int i = 0; i < PODS.length; i++) {
            if (random.nextInt(2) == 0) {
                targets.add(new PolicyTarget(new PodRef("x", PODS[i]), List.of(ip("10.244.0." + (2 + i)))));
            }
        }
        Set<Direction> isolates = EnumSet.noneOf(Direction.class);
        isolates.add(Direction.INGRESS);
        if (random.nextBoolean()) {
            isolates.add(Direction.EGRESS);
        }
        return new NetworkPolicyRules(new PolicyRef("x", name), targets, isolates, randomRules(random),
                isolates.contains(Direction.EGRESS) ? randomRules(random) : List.of());
    }

    private static List<PolicyRule> randomRules(Random random) {
        List<PolicyRule> rules = new ArrayList<>();
        int n = random.nextInt(3);
        for (int i = 0; i < n; i++) {
            Peers peers;
            if (random.nextInt(3) == 0) {
                peers = new Peers.Any();
            } else {
                List<IpBlock> blocks = new ArrayList<>();
                int k = 1 + random.nextInt(3);
                for (int j = 0; j < k; j++) {
                    blocks.add(IpBlock.of(IpPrefix.parse("10.244." + random.nextInt(2) + "." + (2 + random.nextInt(5))
                            + "/32")));
                }
                peers = new Peers.Only(blocks);
            }
            List<PortMatch> ports = new ArrayList<>();
            int k = random.nextInt(3);
            for (int j = 0; j < k; j++) {
                Protocol protocol = random.nextBoolean() ? Protocol.TCP : Protocol.UDP;
                int port = 80 + random.nextInt(3);
                ports.add(random.nextInt(4) == 0
                        ? new PortMatch(protocol, OptionalInt.of(port), OptionalInt.of(port + random.nextInt(8)))
                        : PortMatch.of(protocol, port));
            }
            rules.add(new PolicyRule(i, peers, ports));
        }
        return rules;
    }

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }
}
