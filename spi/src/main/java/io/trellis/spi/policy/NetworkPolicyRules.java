package io.trellis.spi.policy;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One Kubernetes NetworkPolicy (networking.k8s.io/v1) resolved for this node: selectors turned
 * into the local pods it applies to and the peer addresses it allows.
 *
 * <p>Semantics are those of NetworkPolicy v1, allow-only: a target pod is isolated in a direction
 * when at least one policy applying to it lists that direction in {@code isolates}; it then accepts
 * in that direction only the union of all rules of all such policies (plus replies of allowed
 * connections). Policies are never ordered and never deny.
 *
 * @param ref      namespace/name
 * @param appliedTo the local pods selected by {@code podSelector}; may be empty (no local pod)
 * @param isolates  the {@code policyTypes}
 * @param ingress   ingress allow rules; must be empty unless {@code isolates} has INGRESS
 * @param egress    egress allow rules; must be empty unless {@code isolates} has EGRESS
 */
public record NetworkPolicyRules(
        PolicyRef ref, List<PolicyTarget> appliedTo, Set<Direction> isolates, List<PolicyRule> ingress,
        List<PolicyRule> egress) {
    public NetworkPolicyRules {
        requireNonNull(ref, "ref");
        appliedTo = List.copyOf(requireNonNull(appliedTo, "appliedTo"));
        requireNonNull(isolates, "isolates");
        isolates = isolates.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(isolates));
        ingress = List.copyOf(requireNonNull(ingress, "ingress"));
        egress = List.copyOf(requireNonNull(egress, "egress"));
        if (isolates.isEmpty()) {
            throw new IllegalArgumentException("policy " + ref + " isolates no direction");
        }
        if (!ingress.isEmpty() && !isolates.contains(Direction.INGRESS)) {
            throw new IllegalArgumentException("policy " + ref + " has ingress rules but does not isolate ingress");
        }
        if (!egress.isEmpty() && !isolates.contains(Direction.EGRESS)) {
            throw new IllegalArgumentException("policy " + ref + " has egress rules but does not isolate egress");
        }
    }
}
