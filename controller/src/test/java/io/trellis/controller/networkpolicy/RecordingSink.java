package io.trellis.controller.networkpolicy;

import io.trellis.controlplane.policy.AddressGroup;
import io.trellis.controlplane.policy.AppliedToGroup;
import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import io.trellis.controlplane.policy.PolicyObjectSink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Records what the computation publishes: the calls, the current objects with their spans, and
 * each node's view exactly as an agent would receive it (an object iff the node is in its span,
 * applied-to groups cut to the node's members). After every call it checks that no node holds a
 * policy whose groups it lacks. Thread-safe enough for the controller test (synchronized).
 */
final class RecordingSink implements PolicyObjectSink {
    sealed interface Call {
    }

    record Upsert(PolicyObject object, Set<String> span) implements Call {
    }

    record Remove(PolicyObjectKey key) implements Call {
    }

    record Current(PolicyObject object, Set<String> span) {
    }

    private final List<Call> calls = new ArrayList<>();
    private final Map<PolicyObjectKey, Current> current = new HashMap<>();
    private final Map<String, Map<PolicyObjectKey, PolicyObject>> views = new TreeMap<>();

    @Override
    public synchronized void upsert(PolicyObject object, Set<String> span) {
        calls.add(new Upsert(object, Set.copyOf(span)));
        current.put(object.key(), new Current(object, Set.copyOf(span)));
        for (Map.Entry<String, Map<PolicyObjectKey, PolicyObject>> view : views.entrySet()) {
            if (!span.contains(view.getKey())) {
                view.getValue().remove(object.key());
            }
        }
        for (String node : span) {
            PolicyObject seen = object instanceof AppliedToGroup group ? group.onNode(node) : object;
            views.computeIfAbsent(node, n -> new HashMap<>()).put(object.key(), seen);
        }
        checkViews("after upsert of " + object.key());
    }

    @Override
    public synchronized void remove(PolicyObjectKey key) {
        calls.add(new Remove(key));
        if (current.remove(key) == null) {
            throw new AssertionError("remove of " + key + ", which was never published or is already removed");
        }
        views.values().forEach(view -> view.remove(key));
        checkViews("after removal of " + key);
    }

    private void checkViews(String when) {
        views.forEach((node, view) -> view.values().forEach(object -> {
            if (object instanceof InternalPolicy policy) {
                List<PolicyObjectKey> needed = new ArrayList<>();
                needed.add(new PolicyObjectKey(PolicyObjectKey.Kind.APPLIED_TO_GROUP, policy.appliedToGroup()));
                policy.addressGroups().forEach(g -> needed.add(new PolicyObjectKey(PolicyObjectKey.Kind.ADDRESS_GROUP, g)));
                for (PolicyObjectKey key : needed) {
                    if (!view.containsKey(key)) {
                        throw new AssertionError(when + ": node " + node + " holds policy " + policy.ref() + " but not "
                                + key);
                    }
                }
            }
        }));
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The calls so far, forgetting them (the state and views stay). */
    synchronized List<Call> drain() {
        List<Call> copy = List.copyOf(calls);
        calls.clear();
        return copy;
    }

    synchronized Map<PolicyObjectKey, Current> current() {
        return Map.copyOf(current);
    }

    synchronized Map<PolicyObjectKey, PolicyObject> view(String node) {
        return Map.copyOf(views.getOrDefault(node, Map.of()));
    }

    synchronized List<AppliedToGroup> appliedToGroups() {
        return current.values().stream().map(Current::object).filter(AppliedToGroup.class::isInstance)
                .map(AppliedToGroup.class::cast).toList();
    }

    synchronized List<AddressGroup> addressGroups() {
        return current.values().stream().map(Current::object).filter(AddressGroup.class::isInstance)
                .map(AddressGroup.class::cast).toList();
    }

    synchronized List<InternalPolicy> policies() {
        return current.values().stream().map(Current::object).filter(InternalPolicy.class::isInstance)
                .map(InternalPolicy.class::cast).toList();
    }
}
