package io.trellis.controller.networkpolicy;

import io.trellis.controlplane.policy.InternalPolicy;
import java.util.Set;

/** One NetworkPolicy as computed, with the groups it holds a reference on. Owned by {@link PolicyComputation}'s thread. */
record PolicyState(PolicySpec spec, InternalPolicy internal, Group appliedTo, Set<Group> addressGroups) {
    // Identity semantics: two versions of a policy with equal content are still two holders of references.
    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
