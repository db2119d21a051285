package io.trellis.controller.agentapi;

import io.trellis.controlplane.policy.NodePolicyListener;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** An agent stand-in: applies what it receives to a map and records every call and the thread it came on. */
final class RecordingListener implements NodePolicyListener {
    private final Map<PolicyObjectKey, PolicyObject> state = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final Set<String> threads = new HashSet<>();
    private int snapshots;

    @Override
    public synchronized void replaceAll(Collection<PolicyObject> objects) {
        record("replaceAll " + objects.size());
        snapshots++;
        state.clear();
        objects.forEach(o -> state.put(o.key(), o));
    }

    @Override
    public synchronized void upsert(PolicyObject object) {
        record("upsert " + object.key());
        state.put(object.key(), object);
    }

    @Override
    public synchronized void remove(PolicyObjectKey key) {
        record("remove " + key);
        state.remove(key);
    }

    private void record(String call) {
        calls.add(call);
        threads.add(Thread.currentThread().getName());
    }

    synchronized Map<PolicyObjectKey, PolicyObject> state() {
        return Map.copyOf(state);
    }

    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    synchronized int snapshots() {
        return snapshots;
    }

    synchronized Set<String> threads() {
        return Set.copyOf(threads);
    }
}
