package io.trellis.controlplane.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.PolicyRef;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A NetworkPolicy as the controller computed it: the group of pods it applies to, the directions
 * it isolates and its rules. Its span is the span of its applied-to group.
 *
 * @param uid            the NetworkPolicy's metadata.uid; the object name (a re-created policy is a new object)
 * @param appliedToGroup the name of the {@link AppliedToGroup} of its {@code podSelector}
 * @param isolates       the effective {@code policyTypes}
 * @param rules          ingress rules first, then egress, each list in the user's order
 */
public record InternalPolicy(String uid, PolicyRef ref, String appliedToGroup, Set<Direction> isolates,
        List<InternalRule> rules) implements PolicyObject {
    public InternalPolicy {
        requireNonNull(uid, "uid");
        requireNonNull(ref, "ref");
        requireNonNull(appliedToGroup, "appliedToGroup");
        requireNonNull(isolates, "isolates");
        isolates = isolates.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(isolates));
        rules = List.copyOf(requireNonNull(rules, "rules"));
        if (isolates.isEmpty()) {
            throw new IllegalArgumentException("policy " + ref + " isolates no direction");
        }
        for (InternalRule rule : rules) {
            if (!isolates.contains(rule.direction())) {
                throw new IllegalArgumentException("policy " + ref + " has a " + rule.direction()
                        + " rule but does not isolate " + rule.direction());
            }
        }
    }

    @Override
    public PolicyObjectKey key() {
        return new PolicyObjectKey(PolicyObjectKey.Kind.POLICY, uid);
    }

    /** The names of the address groups its rules refer to. */
    public Set<String> addressGroups() {
        return rules.stream().flatMap(r -> r.peers().addressGroups().stream())
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }
}
