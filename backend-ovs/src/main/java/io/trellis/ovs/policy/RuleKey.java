package io.trellis.ovs.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.PolicyRef;

/**
 * One {@link io.trellis.spi.policy.PolicyRule} of a policy: its list, its index, and which of the
 * rules sharing that index (a rule split for named ports) it is, counted in list order.
 */
record RuleKey(PolicyRef ref, Direction direction, int index, int part) {
    RuleKey {
        requireNonNull(ref, "ref");
        requireNonNull(direction, "direction");
        if (index < 0 || part < 0) {
            throw new IllegalArgumentException("rule key of " + ref + ": index " + index + " and part " + part
                    + " must not be negative");
        }
    }
}
