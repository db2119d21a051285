package io.trellis.controller.networkpolicy;

import io.trellis.controlplane.policy.AddressGroup;
import io.trellis.controlplane.policy.AppliedToGroup;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import io.trellis.spi.model.PodRef;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The mutable state behind one {@link AppliedToGroup} or {@link AddressGroup}: its members, the
 * node counts its span is derived from, and who uses it. Owned by {@link PolicyComputation}'s thread.
 */
final class Group {
    static final Comparator<PodRef> POD_ORDER = Comparator.comparing(PodRef::namespace).thenComparing(PodRef::name);

    final PolicyObjectKey key;
    final GroupSelector selector;
    /** Sorted by pod, so that equal membership gives equal objects. */
    final TreeMap<PodRef, PodMember> members = new TreeMap<>(POD_ORDER);
    /** Applied-to groups: how many members run on each node (the span is the key set). */
    final Map<String, Integer> memberNodes = new HashMap<>();
    /** Address groups: for each node, how many of the policies using the group span it (the span is the key set). */
    final Map<String, Integer> policyNodes = new HashMap<>();
    /** The policies that use the group (applied-to groups: whose podSelector it is; address groups: in a rule). */
    final Set<PolicyState> policies = new HashSet<>();
    /** The namespaces whose pods the group holds now (indexed in {@link PolicyComputation}). */
    final Set<String> namespaces = new HashSet<>();

    Group(PolicyObjectKey.Kind kind, GroupSelector selector) {
        this.key = new PolicyObjectKey(kind, selector.name());
        this.selector = selector;
    }

    boolean isAppliedTo() {
        return key.kind() == PolicyObjectKey.Kind.APPLIED_TO_GROUP;
    }

    Set<String> span() {
        return isAppliedTo() ? memberNodes.keySet() : policyNodes.keySet();
    }

    PolicyObject toObject() {
        List<PodMember> list = List.copyOf(members.values());
        return isAppliedTo() ? new AppliedToGroup(key.name(), list) : new AddressGroup(key.name(), list);
    }
}
