package io.trellis.ovs.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.pipeline.Ipv4Subnet;
import io.trellis.ovs.pipeline.PolicyIsolation;
import io.trellis.ovs.pipeline.PolicyMatches;
import io.trellis.ovs.pipeline.PolicyRuleSpec;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IpBlock;
import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.Peers;
import io.trellis.spi.policy.PolicyRule;
import io.trellis.spi.policy.PolicyTarget;
import io.trellis.spi.policy.PortMatch;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the SPI's policies into what the policy stages match ({@link PolicyRuleSpec},
 * {@link PolicyIsolation}): IPv4 only, as the pipeline (IPv6 peers and addresses match no packet
 * of the IPv4-only pods and are left out; a rule whose peers are all IPv6 allows nobody).
 */
final class PolicyCompiler {

    private PolicyCompiler() {
    }

    /**
     * The compiled state of a set of policies.
     *
     * @param rules      every rule part with its id
     * @param isolations every isolated (pod address, direction)
     * @param ruleOf     rule id → the rule it was made from (statistics)
     * @param isolated   isolated (pod address, direction) → pod (statistics)
     */
    record Compiled(List<PolicyRuleSpec> rules, List<PolicyIsolation> isolations, Map<Long, RuleKey> ruleOf,
            Map<PolicyIsolation, PodRef> isolated) {
        static final Compiled EMPTY = new Compiled(List.of(), List.of(), Map.of(), Map.of());

        Compiled {
            rules = List.copyOf(rules);
            isolations = List.copyOf(isolations);
            ruleOf = Map.copyOf(ruleOf);
            isolated = Map.copyOf(isolated);
        }
    }

    /** The keys of a policy's rules, in list order (ingress, then egress). */
    static List<RuleKey> keys(NetworkPolicyRules policy) {
        List<RuleKey> keys = new ArrayList<>();
        addKeys(policy, Direction.INGRESS, policy.ingress(), keys);
        addKeys(policy, Direction.EGRESS, policy.egress(), keys);
        return keys;
    }

    private static void addKeys(NetworkPolicyRules policy, Direction direction, List<PolicyRule> rules,
            List<RuleKey> out) {
        Map<Integer, Integer> parts = new HashMap<>();
        for (PolicyRule rule : rules) {
            int part = parts.merge(rule.index(), 1, Integer::sum) - 1;
            out.add(new RuleKey(policy.ref(), direction, rule.index(), part));
        }
    }

    /** Compiles {@code policies}; {@code ids} must hold an id for every key of {@link #keys}. */
    static Compiled compile(Collection<NetworkPolicyRules> policies, Map<RuleKey, Long> ids) {
        requireNonNull(policies, "policies");
        requireNonNull(ids, "ids");
        List<PolicyRuleSpec> rules = new ArrayList<>();
        Map<Long, RuleKey> ruleOf = new HashMap<>();
        Map<PolicyIsolation, PodRef> isolated = new LinkedHashMap<>();
        for (NetworkPolicyRules policy : policies) {
            for (Direction direction : policy.isolates()) {
                for (PolicyTarget target : policy.appliedTo()) {
                    for (Inet4Address ip : ipv4(target.addresses())) {
                        isolated.putIfAbsent(new PolicyIsolation(ip, direction), target.pod());
                    }
                }
            }
            List<RuleKey> keys = keys(policy);
            List<PolicyRule> all = new ArrayList<>(policy.ingress());
            all.addAll(policy.egress());
            for (int i = 0; i < all.size(); i++) {
                RuleKey key = keys.get(i);
                Long id = ids.get(key);
                if (id == null) {
                    throw new IllegalArgumentException("no rule id for " + key);
                }
                ruleOf.put(id, key);
                rules.add(spec(id, key.direction(), policy, all.get(i)));
            }
        }
        return new Compiled(rules, List.copyOf(isolated.keySet()), ruleOf, isolated);
    }

    private static PolicyRuleSpec spec(long id, Direction direction, NetworkPolicyRules policy, PolicyRule rule) {
        Set<Inet4Address> targets = new LinkedHashSet<>();
        for (PolicyTarget target : policy.appliedTo()) {
            if (rule.appliesTo(target.pod())) {
                targets.addAll(ipv4(target.addresses()));
            }
        }
        Optional<List<Ipv4Subnet>> peers = rule.peers() instanceof Peers.Only only
                ? Optional.of(peerPrefixes(only.blocks())) : Optional.empty();
        Optional<List<PolicyRuleSpec.L4Match>> ports = rule.ports().isEmpty() ? Optional.empty()
                : Optional.of(rule.ports().stream().flatMap(p -> l4(p).stream()).distinct().toList());
        return new PolicyRuleSpec(id, direction, List.copyOf(targets), peers, ports);
    }

    /** Each IPv4 block minus its exceptions, as prefixes (duplicates removed). */
    static List<Ipv4Subnet> peerPrefixes(List<IpBlock> blocks) {
        Set<Ipv4Subnet> out = new LinkedHashSet<>();
        for (IpBlock block : blocks) {
            if (!block.cidr().isIpv4()) {
                continue;
            }
            List<Ipv4Subnet> except = block.except().stream().map(PolicyCompiler::subnet).toList();
            out.addAll(PolicyMatches.minus(subnet(block.cidr()), except));
        }
        return List.copyOf(out);
    }

    static List<PolicyRuleSpec.L4Match> l4(PortMatch port) {
        int proto = port.protocol().ipProtocolNumber();
        if (port.port().isEmpty()) {
            return List.of(new PolicyRuleSpec.L4Match(proto, Optional.empty()));
        }
        int first = port.port().getAsInt();
        int last = port.endPort().orElse(first);
        return PolicyMatches.portRange(first, last).stream()
                .map(m -> new PolicyRuleSpec.L4Match(proto, Optional.of(m))).toList();
    }

    private static Ipv4Subnet subnet(IpPrefix prefix) {
        return new Ipv4Subnet((Inet4Address) prefix.network(), prefix.prefixLength());
    }

    private static List<Inet4Address> ipv4(List<InetAddress> addresses) {
        return addresses.stream().filter(Inet4Address.class::isInstance).map(Inet4Address.class::cast).toList();
    }
}
