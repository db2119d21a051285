package io.trellis.agent.policy;

import io.trellis.controlplane.policy.AddressGroup;
import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.InternalRule;
import io.trellis.controlplane.policy.NamedPort;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.controlplane.policy.RulePort;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one {@link InternalPolicy} as the controller sent it into the {@link NetworkPolicyRules}
 * the enforcer takes: the local members of its applied-to group become the targets, address
 * groups become /32 (/128) blocks, and named ports are resolved against the pods' container ports
 * (ingress: the target pod's; egress: the peer pod's). Pure: equal inputs give equal records,
 * every list sorted and without duplicates.
 *
 * <p>A rule with named ports is split into several {@link PolicyRule}s with the same index. Each
 * carries the numeric ports of the rule plus what its names resolved to, for the pods that resolve
 * them the same way: ingress rules name those target pods in {@code targets}; egress rules list
 * those peer pods' addresses as their peers (ipBlock peers are pods or not, the agent cannot tell,
 * and a named port only means something for a pod, so they get the numeric ports alone). A pod for
 * which neither a number nor a name of the rule holds gets no rule.
 */
final class PolicyRulesBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyRulesBuilder.class);

    /**
     * The rules of {@code policy} for the local pods {@code localMembers}; empty when there is no
     * local pod (the enforcer then must not hold the policy).
     *
     * @param addressGroups the address groups received, by name; a group not received (yet) holds no pod
     */
    Optional<NetworkPolicyRules> build(InternalPolicy policy, Collection<PodMember> localMembers,
                                       Function<String, Optional<AddressGroup>> addressGroups) {
        Map<PodRef, PodMember> targets = new TreeMap<>(PolicyOrder.POD);
        for (PodMember member : localMembers) {
            targets.merge(member.pod(), member, (a, b) -> a);
        }
        if (targets.isEmpty()) {
            return Optional.empty();
        }
        List<PolicyTarget> appliedTo = targets.values().stream()
                .map(m -> new PolicyTarget(m.pod(), sorted(m.ips(), PolicyOrder.ADDRESS))).toList();
        List<PolicyRule> ingress = new ArrayList<>();
        List<PolicyRule> egress = new ArrayList<>();
        List<InternalRule> rules = policy.rules().stream()
                .sorted(Comparator.comparing(InternalRule::direction).thenComparingInt(InternalRule::index)).toList();
        for (InternalRule rule : rules) {
            List<PolicyRule> out = rule.direction() == Direction.INGRESS ? ingress : egress;
            out.addAll(rulesFor(policy, rule, targets.values(), addressGroups));
        }
        return Optional.of(new NetworkPolicyRules(policy.ref(), appliedTo, policy.isolates(), ingress, egress));
    }

    private static List<PolicyRule> rulesFor(InternalPolicy policy, InternalRule rule, Collection<PodMember> targets,
                                             Function<String, Optional<AddressGroup>> addressGroups) {
        List<PortMatch> numeric = numericPorts(rule.ports());
        List<RulePort> named = rule.ports().stream().filter(p -> p.portName().isPresent()).toList();
        List<PodMember> peerPods = rule.peers().any() ? List.of() : peerPods(rule, addressGroups);
        if (named.isEmpty()) {
            return List.of(new PolicyRule(rule.index(), peers(rule, peerPods), numeric));
        }
        if (rule.direction() == Direction.INGRESS) {
            return ingressByTarget(rule, numeric, named, targets, peers(rule, peerPods));
        }
        if (rule.peers().any()) {
            // A rule without `to` allows any destination, and a named port then means the port of
            // whichever pod is the destination: the agent only knows the pods of address groups, so it
            // cannot resolve it here. Only the numeric ports are enforced (fail closed); the controller
            // can express such a rule as an all-pods address group plus 0.0.0.0/0 and ::/0 blocks.
            LOG.warn("policy {} egress rule {}: named ports {} with no `to` cannot be resolved on the node; only its "
                    + "numeric ports {} are allowed", policy.ref(), rule.index(), names(named), numeric);
            return numeric.isEmpty() ? List.of() : List.of(new PolicyRule(rule.index(), new Peers.Any(), numeric));
        }
        return egressByPeer(rule, numeric, named, peerPods);
    }

    /** Ingress: names resolve against each target pod; pods resolving alike share one rule. */
    private static List<PolicyRule> ingressByTarget(InternalRule rule, List<PortMatch> numeric, List<RulePort> named,
                                                    Collection<PodMember> targets, Peers peers) {
        Map<List<PortMatch>, SortedSet<PodRef>> byPorts = new TreeMap<>(PolicyOrder.PORTS);
        for (PodMember target : targets) {
            List<PortMatch> ports = union(numeric, resolve(named, target.ports()));
            if (!ports.isEmpty()) {
                byPorts.computeIfAbsent(ports, p -> new TreeSet<>(PolicyOrder.POD)).add(target.pod());
            }
        }
        List<PolicyRule> out = new ArrayList<>();
        byPorts.forEach((ports, pods) -> out.add(new PolicyRule(rule.index(), peers, ports, Optional.of(Set.copyOf(pods)))));
        return out;
    }

    /** Egress: names resolve against each peer pod; peers resolving alike share one rule. */
    private static List<PolicyRule> egressByPeer(InternalRule rule, List<PortMatch> numeric, List<RulePort> named,
                                                 List<PodMember> peerPods) {
        Map<List<PortMatch>, SortedSet<IpBlock>> byPorts = new TreeMap<>(PolicyOrder.PORTS);
        for (PodMember peer : peerPods) {
            List<PortMatch> ports = union(numeric, resolve(named, peer.ports()));
            if (!ports.isEmpty()) {
                byPorts.computeIfAbsent(ports, p -> new TreeSet<>(PolicyOrder.BLOCK)).addAll(hostBlocks(peer.ips()));
            }
        }
        if (!numeric.isEmpty() && !rule.peers().ipBlocks().isEmpty()) {
            byPorts.computeIfAbsent(numeric, p -> new TreeSet<>(PolicyOrder.BLOCK)).addAll(rule.peers().ipBlocks());
        }
        List<PolicyRule> out = new ArrayList<>();
        byPorts.forEach((ports, blocks) -> out.add(new PolicyRule(rule.index(), new Peers.Only(List.copyOf(blocks)), ports)));
        return out;
    }

    private static Peers peers(InternalRule rule, List<PodMember> peerPods) {
        if (rule.peers().any()) {
            return new Peers.Any();
        }
        SortedSet<IpBlock> blocks = new TreeSet<>(PolicyOrder.BLOCK);
        peerPods.forEach(p -> blocks.addAll(hostBlocks(p.ips())));
        blocks.addAll(rule.peers().ipBlocks());
        return new Peers.Only(List.copyOf(blocks));
    }

    /** The members of the rule's address groups, each pod once. */
    private static List<PodMember> peerPods(InternalRule rule, Function<String, Optional<AddressGroup>> addressGroups) {
        Map<PodRef, PodMember> pods = new TreeMap<>(PolicyOrder.POD);
        for (String name : rule.peers().addressGroups()) {
            addressGroups.apply(name).ifPresent(g -> g.members().forEach(m -> pods.merge(m.pod(), m, PolicyRulesBuilder::richer)));
        }
        return List.copyOf(pods.values());
    }

    /**
     * The same pod in two address groups sent at different times may differ (one group already
     * updated with a new IP); both are kept by the union, so neither version's addresses is lost.
     */
    private static PodMember richer(PodMember a, PodMember b) {
        if (a.equals(b)) {
            return a;
        }
        SortedSet<InetAddress> ips = new TreeSet<>(PolicyOrder.ADDRESS);
        ips.addAll(a.ips());
        ips.addAll(b.ips());
        List<NamedPort> ports = new ArrayList<>(a.ports());
        b.ports().stream().filter(p -> !ports.contains(p)).forEach(ports::add);
        return new PodMember(a.pod(), a.node(), List.copyOf(ips), ports);
    }

    private static List<PortMatch> numericPorts(List<RulePort> ports) {
        SortedSet<PortMatch> out = new TreeSet<>(PolicyOrder.PORT);
        for (RulePort p : ports) {
            if (p.portName().isEmpty()) {
                out.add(new PortMatch(p.protocol(), p.port(), p.endPort()));
            }
        }
        return List.copyOf(out);
    }

    /** The numbers {@code named} mean for a pod with container ports {@code podPorts}: same name and protocol. */
    private static List<PortMatch> resolve(List<RulePort> named, List<NamedPort> podPorts) {
        List<PortMatch> out = new ArrayList<>();
        for (RulePort rulePort : named) {
            String name = rulePort.portName().orElseThrow();
            for (NamedPort podPort : podPorts) {
                if (podPort.name().equals(name) && podPort.protocol() == rulePort.protocol()) {
                    out.add(PortMatch.of(podPort.protocol(), podPort.port()));
                }
            }
        }
        return out;
    }

    private static List<PortMatch> union(List<PortMatch> a, List<PortMatch> b) {
        SortedSet<PortMatch> out = new TreeSet<>(PolicyOrder.PORT);
        out.addAll(a);
        out.addAll(b);
        return List.copyOf(out);
    }

    private static List<IpBlock> hostBlocks(List<InetAddress> ips) {
        return ips.stream().map(ip -> IpBlock.of(new IpPrefix(ip, ip instanceof Inet4Address ? 32 : 128))).toList();
    }

    private static <T> List<T> sorted(Collection<T> values, Comparator<? super T> order) {
        SortedSet<T> set = new TreeSet<>(order);
        set.addAll(values);
        return List.copyOf(set);
    }

    private static List<String> names(List<RulePort> named) {
        return named.stream().map(p -> p.protocol() + "/" + p.portName().orElseThrow()).toList();
    }
}
