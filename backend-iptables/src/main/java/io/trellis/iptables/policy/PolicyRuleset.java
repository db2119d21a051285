package io.trellis.iptables.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.Peers;
import io.trellis.spi.policy.PolicyRule;
import io.trellis.spi.policy.PolicyTarget;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The filter chains and ipset sets of a set of policies: a pure function of the policies and rule
 * ids, written as iptables-save prints rules (so installed chains compare equal to generated ones).
 *
 * <p>Chains (all jumped to, directly or not, from {@value PolicyNames#ENTRY}, which FORWARD and
 * INPUT jump to):
 * <pre>
 * TRELLIS-POLICY            established/related: -g TRELLIS-POLICY-COUNT-IN (counted, never re-evaluated)
 *                           -s POD -j TRELLIS-POLICY-E-POD   per egress-isolated pod address
 *                           -d POD -j TRELLIS-POLICY-I-POD   per ingress-isolated pod address
 * TRELLIS-POLICY-COUNT-IN   per ingress rule id: -m connmark --mark ID/MASK -g TRELLIS-POLICY-COUNT-EG
 * TRELLIS-POLICY-COUNT-EG   per egress rule id:  -m connmark --mark ID/MASK -j RETURN
 * TRELLIS-POLICY-I-POD      -s POD -j RETURN (a pod reaching itself through a Service)
 *                           rule lines: [-p P] [-m set --match-set S src] [port match] -g TRELLIS-POLICY-RI-ID
 *                           -j DROP (default deny; its counters are the pod's isolation drops)
 * TRELLIS-POLICY-E-POD      the same with -d and dst
 * TRELLIS-POLICY-RI-ID      -j CONNMARK --set-xmark ID/MASK (its counters are the rule's sessions)
 * </pre>
 * Allowed packets are never ACCEPTed: the pod chains are entered with -j and a matching rule line
 * jumps with -g to its rule chain, whose end returns to TRELLIS-POLICY (goto semantics); so a packet
 * between two isolated pods must pass the sender's egress and the receiver's ingress, and a packet
 * allowed by the policies goes on through FORWARD/INPUT, where the rules of the Service proxy, the
 * pod bridge and other programs still apply. The enforcer only ever drops.
 *
 * <p>IPv4 only (iptables): IPv6 pod addresses and peers are left out, as the OVS enforcer does.
 */
record PolicyRuleset(Map<String, List<String>> chains, Map<String, List<IpPrefix>> sets, Map<RuleKey, Integer> ids,
        List<Isolation> isolations) {

    static final String ESTABLISHED = "-m conntrack --ctstate RELATED,ESTABLISHED";

    PolicyRuleset {
        chains = unmodifiable(chains);
        sets = unmodifiable(sets);
        ids = unmodifiable(ids);
        isolations = List.copyOf(isolations);
    }

    private static <K, V> Map<K, V> unmodifiable(Map<K, V> map) {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** The keys of a policy's rules (one per index; split rules share it), ingress then egress. */
    static List<RuleKey> keys(NetworkPolicyRules policy) {
        List<RuleKey> keys = new ArrayList<>();
        for (Direction d : Direction.values()) {
            rules(policy, d).stream().map(PolicyRule::index).distinct().sorted()
                    .forEach(i -> keys.add(new RuleKey(policy.ref(), d, i)));
        }
        return keys;
    }

    /** Compiles {@code policies}; {@code ids} must hold an id for every key of {@link #keys}. */
    static PolicyRuleset compile(Collection<NetworkPolicyRules> policies, Map<RuleKey, Integer> ids) {
        requireNonNull(policies, "policies");
        requireNonNull(ids, "ids");
        List<NetworkPolicyRules> sorted = new ArrayList<>(policies);
        sorted.sort(Comparator.comparing((NetworkPolicyRules p) -> p.ref().namespace()).thenComparing(p -> p.ref().name()));

        Map<String, Isolation> isolated = new LinkedHashMap<>();
        Map<String, List<String>> podLines = new LinkedHashMap<>();
        Map<String, List<IpPrefix>> sets = new TreeMap<>();
        Map<RuleKey, Integer> used = new TreeMap<>(RuleKey.ORDER);
        for (NetworkPolicyRules policy : sorted) {
            for (Direction d : Direction.values()) {
                if (!policy.isolates().contains(d)) {
                    continue;
                }
                for (PolicyTarget target : policy.appliedTo()) {
                    for (Inet4Address a : ipv4(target.addresses())) {
                        Isolation iso = new Isolation(a, d, target.pod());
                        isolated.putIfAbsent(iso.chain(), iso);
                        podLines.computeIfAbsent(iso.chain(), c -> new ArrayList<>());
                    }
                }
            }
            for (RuleKey key : keys(policy)) {
                Integer id = ids.get(key);
                if (id == null) {
                    throw new IllegalArgumentException("no rule id for " + key.text());
                }
                used.put(key, id);
            }
            for (Direction d : Direction.values()) {
                for (PolicyRule rule : rules(policy, d)) {
                    List<String> lines = ruleLines(d, rule, ids.get(new RuleKey(policy.ref(), d, rule.index())), sets);
                    for (PolicyTarget target : policy.appliedTo()) {
                        if (!rule.appliesTo(target.pod())) {
                            continue;
                        }
                        for (Inet4Address a : ipv4(target.addresses())) {
                            podLines.get(PolicyNames.podChain(d, a)).addAll(lines);
                        }
                    }
                }
            }
        }

        List<Isolation> isolations = isolated.values().stream()
                .sorted(Comparator.comparing((Isolation i) -> i.direction() == Direction.INGRESS)
                        .thenComparing(i -> PeerPrefixes.toInt(i.address()), Integer::compareUnsigned))
                .toList();
        Map<String, List<String>> chains = new LinkedHashMap<>();
        List<String> entry = new ArrayList<>();
        entry.add(ESTABLISHED + " -g " + PolicyNames.COUNT_INGRESS);
        for (Isolation iso : isolations) {
            entry.add((iso.direction() == Direction.INGRESS ? "-d " : "-s ") + iso.address().getHostAddress() + "/32 -j "
                    + iso.chain());
        }
        chains.put(PolicyNames.ENTRY, entry);
        List<String> countIn = new ArrayList<>();
        countIn.add(countLine(Direction.INGRESS, 0));
        List<String> countEg = new ArrayList<>();
        countEg.add(countLine(Direction.EGRESS, 0));
        used.forEach((key, id) -> {
            if (ConnmarkLayout.fits(id)) {
                (key.direction() == Direction.INGRESS ? countIn : countEg).add(countLine(key.direction(), id));
            }
        });
        countIn.add("-g " + PolicyNames.COUNT_EGRESS);
        chains.put(PolicyNames.COUNT_INGRESS, countIn);
        chains.put(PolicyNames.COUNT_EGRESS, countEg);
        for (Isolation iso : isolations) {
            List<String> lines = new ArrayList<>();
            lines.add((iso.direction() == Direction.INGRESS ? "-s " : "-d ") + iso.address().getHostAddress()
                    + "/32 -j RETURN");
            lines.addAll(podLines.get(iso.chain()));
            lines.add(dropLine(iso));
            chains.put(iso.chain(), lines);
        }
        used.forEach((key, id) -> chains.put(PolicyNames.ruleChain(key.direction(), id), List.of(markLine(key, id))));
        return new PolicyRuleset(chains, sets, used, isolations);
    }

    /** The line of COUNT-IN / COUNT-EG counting established packets of rule {@code id} (0: no rule). */
    static String countLine(Direction direction, int id) {
        String match = "-m connmark --mark " + ConnmarkLayout.text(direction, id);
        return direction == Direction.INGRESS ? match + " -g " + PolicyNames.COUNT_EGRESS : match + " -j RETURN";
    }

    /** The default-deny line ending a pod chain. */
    static String dropLine(Isolation iso) {
        return "-m comment --comment \"default deny " + iso.direction().name().toLowerCase(Locale.ROOT) + " of "
                + iso.pod() + "\" -j DROP";
    }

    /** The only line of a rule chain: records the rule in the connmark (when the id fits). */
    static String markLine(RuleKey key, int id) {
        String comment = "-m comment --comment \"" + key.text() + "\"";
        return ConnmarkLayout.fits(id)
                ? comment + " -j CONNMARK --set-xmark " + ConnmarkLayout.text(key.direction(), id) : comment;
    }

    /** The lines one rule adds to each pod chain it applies to; registers its peer set in {@code sets}. */
    private static List<String> ruleLines(Direction d, PolicyRule rule, int id, Map<String, List<IpPrefix>> sets) {
        String peer = "";
        if (rule.peers() instanceof Peers.Only only) {
            List<IpPrefix> entries = PeerPrefixes.of(only.blocks());
            if (entries.isEmpty()) {
                return List.of(); // allows no one
            }
            String name = PolicyNames.setName(entries.stream().map(IpPrefix::toString).collect(Collectors.joining("\n")));
            sets.put(name, entries);
            peer = "-m set --match-set " + name + (d == Direction.INGRESS ? " src" : " dst");
        }
        String target = "-g " + PolicyNames.ruleChain(d, id);
        if (rule.ports().isEmpty()) {
            return List.of(join(peer, target));
        }
        List<String> lines = new ArrayList<>();
        for (PortMatches.Fragment f : PortMatches.of(rule.ports())) {
            lines.add(join(f.protocol(), peer, f.ports(), target));
        }
        return lines;
    }

    private static String join(String... parts) {
        StringBuilder out = new StringBuilder();
        for (String p : parts) {
            if (!p.isEmpty()) {
                out.append(out.length() == 0 ? "" : " ").append(p);
            }
        }
        return out.toString();
    }

    private static List<PolicyRule> rules(NetworkPolicyRules policy, Direction d) {
        return d == Direction.INGRESS ? policy.ingress() : policy.egress();
    }

    private static List<Inet4Address> ipv4(List<InetAddress> addresses) {
        return addresses.stream().filter(Inet4Address.class::isInstance).map(Inet4Address.class::cast).distinct()
                .toList();
    }
}
