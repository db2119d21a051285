package io.trellis.controller.networkpolicy;

import io.trellis.controlplane.policy.AddressGroup;
import io.trellis.controlplane.policy.AppliedToGroup;
import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.InternalRule;
import io.trellis.controlplane.policy.NamedPort;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import io.trellis.controlplane.policy.RulePort;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IpBlock;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Decides connections the way an agent can: only from the objects its node received (ingress on
 * the destination's node, egress on the source's), named ports resolved from group members.
 */
final class AgentViewEvaluator {
    private final Function<String, Map<PolicyObjectKey, PolicyObject>> views;

    AgentViewEvaluator(Function<String, Map<PolicyObjectKey, PolicyObject>> views) {
        this.views = views;
    }

    boolean allowed(Endpoint source, Endpoint destination, Protocol protocol, int port) {
        if (destination.pod() != null && !admits(destination, source, destination, Direction.INGRESS, protocol, port)) {
            return false;
        }
        return source.pod() == null || admits(source, destination, destination, Direction.EGRESS, protocol, port);
    }

    private boolean admits(Endpoint subject, Endpoint peer, Endpoint destination, Direction direction,
            Protocol protocol, int port) {
        Map<PolicyObjectKey, PolicyObject> view = views.apply(subject.pod().node().orElseThrow());
        boolean isolated = false;
        for (PolicyObject object : view.values()) {
            if (!(object instanceof InternalPolicy policy) || !policy.isolates().contains(direction)) {
                continue;
            }
            AppliedToGroup appliedTo = (AppliedToGroup) view.get(
                    new PolicyObjectKey(PolicyObjectKey.Kind.APPLIED_TO_GROUP, policy.appliedToGroup()));
            Optional<PodMember> target = appliedTo.members().stream()
                    .filter(m -> m.pod().equals(subject.pod().pod())).findFirst();
            if (target.isEmpty()) {
                continue;
            }
            isolated = true;
            for (InternalRule rule : policy.rules()) {
                if (rule.direction() != direction) {
                    continue;
                }
                // The pod whose named ports apply: the target for ingress; for egress the peer pod as a group member.
                List<Optional<PodMember>> namedPortHolders = new ArrayList<>();
                if (rule.peers().any()) {
                    namedPortHolders.add(direction == Direction.INGRESS ? target : Optional.empty());
                }
                for (String name : rule.peers().addressGroups()) {
                    AddressGroup group = (AddressGroup) view.get(
                            new PolicyObjectKey(PolicyObjectKey.Kind.ADDRESS_GROUP, name));
                    group.members().stream().filter(m -> m.ips().contains(peer.ip())).findFirst().ifPresent(m ->
                            namedPortHolders.add(direction == Direction.INGRESS ? target : Optional.of(m)));
                }
                for (IpBlock block : rule.peers().ipBlocks()) {
                    if (inBlock(block, peer.ip())) {
                        namedPortHolders.add(direction == Direction.INGRESS ? target : Optional.empty());
                    }
                }
                for (Optional<PodMember> holder : namedPortHolders) {
                    if (portsAdmit(rule.ports(), holder, protocol, port)) {
                        return true;
                    }
                }
            }
        }
        return !isolated;
    }

    private static boolean inBlock(IpBlock block, InetAddress ip) {
        return block.cidr().contains(ip) && block.except().stream().noneMatch(e -> e.contains(ip));
    }

    private static boolean portsAdmit(List<RulePort> ports, Optional<PodMember> holder, Protocol protocol, int port) {
        if (ports.isEmpty()) {
            return true;
        }
        for (RulePort p : ports) {
            if (p.protocol() != protocol) {
                continue;
            }
            if (p.port().isPresent()) {
                if (port >= p.port().getAsInt() && port <= p.endPort().orElse(p.port().getAsInt())) {
                    return true;
                }
            } else if (p.portName().isPresent()) {
                if (holder.isPresent()) {
                    for (NamedPort named : holder.get().ports()) {
                        if (named.name().equals(p.portName().get()) && named.protocol() == protocol
                                && named.port() == port) {
                            return true;
                        }
                    }
                }
            } else {
                return true;
            }
        }
        return false;
    }

}
