package io.trellis.agent.policy;

import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.PolicyEnforcer;
import io.trellis.spi.policy.PolicyException;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyStatistics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link PolicyEnforcer} that records every call and the state it would hold, can be told to
 * fail the next calls, and notes when two calls overlap or come from different threads.
 */
final class RecordingEnforcer implements PolicyEnforcer {

    sealed interface Call permits ReplaceAll, Upsert, Remove, Statistics {
    }

    record ReplaceAll(List<NetworkPolicyRules> policies) implements Call {
    }

    record Upsert(NetworkPolicyRules policy) implements Call {
    }

    record Remove(PolicyRef ref) implements Call {
    }

    record Statistics() implements Call {
    }

    private final List<Call> calls = new ArrayList<>();
    private final Map<PolicyRef, NetworkPolicyRules> installed = new LinkedHashMap<>();
    private final java.util.Set<String> threads = new java.util.HashSet<>();
    private int failNext;
    private boolean inCall;
    private boolean overlapped;
    private PolicyStatistics statistics = PolicyStatistics.NONE;

    synchronized void failNext(int calls) {
        failNext = calls;
    }

    synchronized void statisticsToReturn(PolicyStatistics value) {
        statistics = value;
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized List<Call> takeCalls() {
        List<Call> out = List.copyOf(calls);
        calls.clear();
        return out;
    }

    /** What the enforcer enforces now: the last accepted state. */
    synchronized Map<PolicyRef, NetworkPolicyRules> installed() {
        return Map.copyOf(installed);
    }

    synchronized java.util.Set<String> threads() {
        return java.util.Set.copyOf(threads);
    }

    synchronized boolean overlapped() {
        return overlapped;
    }

    @Override
    public void replaceAll(Collection<NetworkPolicyRules> policies) {
        enter(new ReplaceAll(List.copyOf(policies)));
        synchronized (this) {
            installed.clear();
            policies.forEach(p -> installed.put(p.ref(), p));
        }
    }

    @Override
    public void upsert(NetworkPolicyRules policy) {
        enter(new Upsert(policy));
        synchronized (this) {
            installed.put(policy.ref(), policy);
        }
    }

    @Override
    public void remove(PolicyRef ref) {
        enter(new Remove(ref));
        synchronized (this) {
            installed.remove(ref);
        }
    }

    @Override
    public PolicyStatistics statistics() {
        enter(new Statistics());
        synchronized (this) {
            return statistics;
        }
    }

    private void enter(Call call) {
        synchronized (this) {
            if (inCall) {
                overlapped = true;
            }
            inCall = true;
            threads.add(Thread.currentThread().getName());
            calls.add(call);
        }
        try {
            Thread.sleep(1);   // widen the window in which an overlapping call would be seen
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            inCall = false;
            if (failNext > 0 && !(call instanceof Statistics)) {
                failNext--;
                throw new PolicyException("injected failure of " + call.getClass().getSimpleName());
            }
        }
    }
}
