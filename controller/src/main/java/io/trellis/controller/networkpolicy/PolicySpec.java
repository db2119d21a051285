package io.trellis.controller.networkpolicy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.PolicyRef;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A NetworkPolicy, validated ({@link NetworkPolicyParser}).
 *
 * @param isolates the effective policyTypes (defaulted as upstream: Ingress, plus Egress iff there are
 *                 egress rules)
 * @param ingress  the ingress rules in the user's order; empty unless {@code isolates} has INGRESS
 * @param egress   the egress rules in the user's order; empty unless {@code isolates} has EGRESS
 */
public record PolicySpec(String uid, PolicyRef ref, LabelSelector podSelector, Set<Direction> isolates,
        List<RuleSpec> ingress, List<RuleSpec> egress) {
    public PolicySpec {
        requireNonNull(uid, "uid");
        requireNonNull(ref, "ref");
        requireNonNull(podSelector, "podSelector");
        requireNonNull(isolates, "isolates");
        isolates = isolates.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(isolates));
        ingress = List.copyOf(requireNonNull(ingress, "ingress"));
        egress = List.copyOf(requireNonNull(egress, "egress"));
        if (uid.isEmpty()) {
            throw new IllegalArgumentException("policy " + ref + " needs a uid");
        }
        if (isolates.isEmpty()) {
            throw new IllegalArgumentException("policy " + ref + " isolates no direction");
        }
        if (!ingress.isEmpty() && !isolates.contains(Direction.INGRESS)
                || !egress.isEmpty() && !isolates.contains(Direction.EGRESS)) {
            throw new IllegalArgumentException("policy " + ref + " has rules for a direction it does not isolate");
        }
    }
}
