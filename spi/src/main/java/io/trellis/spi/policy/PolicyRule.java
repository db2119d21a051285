package io.trellis.spi.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.PodRef;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One allow rule: traffic from (ingress) or to (egress) {@code peers} on {@code ports}.
 *
 * <p>Named ports make one NetworkPolicy rule resolve differently per pod (an ingress port name per
 * target pod, an egress port name per peer pod). The agent then passes the rule as several
 * {@code PolicyRule}s that share the same {@code index}: each with the peers and targets for which
 * its numbers hold. Statistics are kept per index, so they add up to the user's rule.
 *
 * @param index   the rule's position in the NetworkPolicy's {@code ingress} or {@code egress} list
 * @param peers   the allowed remote addresses
 * @param ports   the allowed protocols/ports; empty allows every port (as a rule without
 *                {@code ports} does). A rule whose named ports resolve to nothing is not passed at all.
 * @param targets the subset of the policy's {@code appliedTo} pods this rule applies to; empty
 *                means all of them
 */
public record PolicyRule(int index, Peers peers, List<PortMatch> ports, Optional<Set<PodRef>> targets) {
    public PolicyRule {
        if (index < 0) {
            throw new IllegalArgumentException("rule index must be >= 0, got " + index);
        }
        requireNonNull(peers, "peers");
        ports = List.copyOf(requireNonNull(ports, "ports"));
        targets = requireNonNull(targets, "targets").map(Set::copyOf);
    }

    /** A rule that applies to every target pod of its policy. */
    public PolicyRule(int index, Peers peers, List<PortMatch> ports) {
        this(index, peers, ports, Optional.empty());
    }

    /** Whether this rule applies to {@code pod}, one of its policy's targets. */
    public boolean appliesTo(PodRef pod) {
        return targets.map(t -> t.contains(pod)).orElse(true);
    }
}
