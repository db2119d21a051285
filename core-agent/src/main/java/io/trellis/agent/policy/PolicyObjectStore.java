package io.trellis.agent.policy;

import io.trellis.controlplane.policy.AddressGroup;
import io.trellis.controlplane.policy.AppliedToGroup;
import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import io.trellis.spi.policy.PolicyRef;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The policy objects the controller sent for this node, indexed by what refers to what, so that a
 * change finds exactly the policies it affects (an address group change only the policies whose
 * rules name it). Not thread-safe: {@link NodePolicyState} guards it.
 *
 * <p>Policies are objects by uid, but the enforcer knows them by namespace/name: a NetworkPolicy
 * deleted and re-created under the same name may briefly exist twice (the new uid can arrive
 * before the old one's removal). The one received last stands for the name until it is removed.
 */
final class PolicyObjectStore {
    private final Map<String, AppliedToGroup> appliedToGroups = new HashMap<>();
    private final Map<String, AddressGroup> addressGroups = new HashMap<>();
    private final Map<String, InternalPolicy> policies = new HashMap<>();
    private final Map<String, Set<String>> policiesByAppliedToGroup = new HashMap<>();
    private final Map<String, Set<String>> policiesByAddressGroup = new HashMap<>();
    /** The uids under each name, in the order received: the last one stands for the name. */
    private final Map<PolicyRef, LinkedHashSet<String>> uidsByRef = new HashMap<>();

    void clear() {
        appliedToGroups.clear();
        addressGroups.clear();
        policies.clear();
        policiesByAppliedToGroup.clear();
        policiesByAddressGroup.clear();
        uidsByRef.clear();
    }

    /** Stores {@code object}; returns the policies whose rules may have changed (none when it is unchanged). */
    SortedSet<PolicyRef> upsert(PolicyObject object) {
        SortedSet<PolicyRef> affected = new TreeSet<>(PolicyOrder.POLICY);
        // Java 17: no pattern matching in switch yet; the interface is sealed to these three.
        if (object instanceof AppliedToGroup g) {
            if (!g.equals(appliedToGroups.put(g.name(), g))) {
                affected.addAll(refsOf(policiesByAppliedToGroup.get(g.name())));
            }
        } else if (object instanceof AddressGroup g) {
            if (!g.equals(addressGroups.put(g.name(), g))) {
                affected.addAll(refsOf(policiesByAddressGroup.get(g.name())));
            }
        } else if (object instanceof InternalPolicy p) {
            InternalPolicy old = policies.get(p.uid());
            if (p.equals(old)) {
                return affected;
            }
            if (old != null) {
                unindex(old);
                affected.add(old.ref());
            }
            policies.put(p.uid(), p);
            index(p);
            affected.add(p.ref());
        } else {
            throw new IllegalArgumentException("unknown policy object " + object.getClass().getName());
        }
        return affected;
    }

    /** Forgets the object; returns the policies whose rules may have changed. */
    SortedSet<PolicyRef> remove(PolicyObjectKey key) {
        SortedSet<PolicyRef> affected = new TreeSet<>(PolicyOrder.POLICY);
        switch (key.kind()) {
            case APPLIED_TO_GROUP -> {
                if (appliedToGroups.remove(key.name()) != null) {
                    affected.addAll(refsOf(policiesByAppliedToGroup.get(key.name())));
                }
            }
            case ADDRESS_GROUP -> {
                if (addressGroups.remove(key.name()) != null) {
                    affected.addAll(refsOf(policiesByAddressGroup.get(key.name())));
                }
            }
            case POLICY -> {
                InternalPolicy old = policies.remove(key.name());
                if (old != null) {
                    unindex(old);
                    affected.add(old.ref());
                }
            }
        }
        return affected;
    }

    /** The policy standing for {@code ref}, if any. */
    Optional<InternalPolicy> policy(PolicyRef ref) {
        LinkedHashSet<String> uids = uidsByRef.get(ref);
        if (uids == null || uids.isEmpty()) {
            return Optional.empty();
        }
        String last = null;
        for (String uid : uids) {
            last = uid;
        }
        return Optional.ofNullable(policies.get(last));
    }

    /** Every policy name held. */
    SortedSet<PolicyRef> refs() {
        SortedSet<PolicyRef> out = new TreeSet<>(PolicyOrder.POLICY);
        out.addAll(uidsByRef.keySet());
        return out;
    }

    Optional<AppliedToGroup> appliedToGroup(String name) {
        return Optional.ofNullable(appliedToGroups.get(name));
    }

    Optional<AddressGroup> addressGroup(String name) {
        return Optional.ofNullable(addressGroups.get(name));
    }

    private void index(InternalPolicy p) {
        policiesByAppliedToGroup.computeIfAbsent(p.appliedToGroup(), k -> new LinkedHashSet<>()).add(p.uid());
        for (String group : p.addressGroups()) {
            policiesByAddressGroup.computeIfAbsent(group, k -> new LinkedHashSet<>()).add(p.uid());
        }
        LinkedHashSet<String> uids = uidsByRef.computeIfAbsent(p.ref(), k -> new LinkedHashSet<>());
        uids.remove(p.uid());   // re-added last: the latest received stands for the name
        uids.add(p.uid());
    }

    private void unindex(InternalPolicy p) {
        removeFrom(policiesByAppliedToGroup, p.appliedToGroup(), p.uid());
        for (String group : p.addressGroups()) {
            removeFrom(policiesByAddressGroup, group, p.uid());
        }
        LinkedHashSet<String> uids = uidsByRef.get(p.ref());
        if (uids != null) {
            uids.remove(p.uid());
            if (uids.isEmpty()) {
                uidsByRef.remove(p.ref());
            }
        }
    }

    private static void removeFrom(Map<String, Set<String>> index, String key, String uid) {
        Set<String> uids = index.get(key);
        if (uids != null) {
            uids.remove(uid);
            if (uids.isEmpty()) {
                index.remove(key);
            }
        }
    }

    private SortedSet<PolicyRef> refsOf(Set<String> uids) {
        SortedSet<PolicyRef> out = new TreeSet<>(PolicyOrder.POLICY);
        if (uids != null) {
            uids.forEach(uid -> out.add(policies.get(uid).ref()));
        }
        return out;
    }
}
