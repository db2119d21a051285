package io.trellis.iptables.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.PolicyEnforcer;
import io.trellis.spi.policy.PolicyException;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyStatistics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PolicyEnforcer} of the iptables backend: NetworkPolicies as ipset sets and filter chains
 * of its own ({@link PolicyRuleset} describes them), in the network namespace its tools run in.
 *
 * <p>Every call computes the whole wanted state and applies the difference to what the node has,
 * read back each time ({@code iptables-save}, {@code ipset list -n}), so it also repairs chains
 * changed behind its back and converges after an agent restart:
 * <ol>
 *   <li>{@code ipset restore}: creates the sets that are new (names derive from content, so changed
 *       peers are new sets); on the first call also refills sets left by an earlier run;</li>
 *   <li>one {@code iptables-restore -c --noflush} transaction rewriting only the chains that differ,
 *       with the counters of unchanged lines carried over, deleting stale chains of ours, adding the
 *       FORWARD/INPUT jumps when missing: the kernel switches from the old to the new rules at once;</li>
 *   <li>{@code ipset destroy} of our sets no longer used.</li>
 * </ol>
 * A failure before step 2 commits leaves the previous rules in force (fail closed for isolated pods);
 * the agent then calls {@link #replaceAll} again. Nothing is changed until the first call, so after a
 * restart the previous run's rules keep enforcing meanwhile. Rule ids survive restarts (read back from
 * the rule chains' comments), so an unchanged policy set rewrites nothing.
 *
 * <p>Traffic covered: FORWARD (pod to pod on the bridge, with bridge-nf-call-iptables; pod to and
 * from other nodes and outside, routed) and INPUT (pods to the node itself, for egress rules). The
 * node's own connections to its pods leave through OUTPUT, which does not jump here: the node always
 * reaches its pods (kubelet probes), as the OVS enforcer lets the gateway's traffic pass. Egress rules
 * see the endpoint, not the Service IP: FORWARD comes after the Service DNAT in PREROUTING.
 */
public final class IptablesPolicyEnforcer implements PolicyEnforcer {

    private static final Logger LOG = LoggerFactory.getLogger(IptablesPolicyEnforcer.class);

    private final PolicyTools tools;

    /** Accepted policies; guarded by this. */
    private final Map<PolicyRef, NetworkPolicyRules> policies = new LinkedHashMap<>();
    private Map<RuleKey, Integer> ids = Map.of();
    private PolicyRuleset installed;
    /** False until the first successful apply, and after a failure: sets found on the node are refilled. */
    private boolean synced;

    IptablesPolicyEnforcer(PolicyTools tools) {
        this.tools = requireNonNull(tools, "tools");
        this.installed = PolicyRuleset.compile(List.of(), Map.of());
    }

    @Override
    public synchronized void replaceAll(Collection<NetworkPolicyRules> all) {
        requireNonNull(all, "policies");
        Map<PolicyRef, NetworkPolicyRules> next = new LinkedHashMap<>();
        for (NetworkPolicyRules p : all) {
            if (next.put(requireNonNull(p, "policy").ref(), p) != null) {
                throw new PolicyException("replacing all policies: " + p.ref() + " is listed twice");
            }
        }
        apply(next, "replacing all " + next.size() + " policies");
    }

    @Override
    public synchronized void upsert(NetworkPolicyRules policy) {
        requireNonNull(policy, "policy");
        if (synced && policy.equals(policies.get(policy.ref()))) {
            return;
        }
        Map<PolicyRef, NetworkPolicyRules> next = new LinkedHashMap<>(policies);
        next.put(policy.ref(), policy);
        apply(next, "policy " + policy.ref());
    }

    @Override
    public synchronized void remove(PolicyRef ref) {
        requireNonNull(ref, "ref");
        if (synced && !policies.containsKey(ref)) {
            return;
        }
        Map<PolicyRef, NetworkPolicyRules> next = new LinkedHashMap<>(policies);
        next.remove(ref);
        apply(next, "removing policy " + ref);
    }

    private void apply(Map<PolicyRef, NetworkPolicyRules> next, String what) {
        try {
            SavedFilter saved = tools.saveFilter();
            Set<String> sets = ownSets(tools.listSets());
            Map<RuleKey, Integer> previous = new LinkedHashMap<>(PolicyCounters.installedIds(saved));
            previous.putAll(ids); // this run's ids win over what the table says
            List<RuleKey> keys = new ArrayList<>();
            next.values().forEach(p -> keys.addAll(PolicyRuleset.keys(p)));
            Map<RuleKey, Integer> nextIds = RuleIds.assign(previous, keys);
            PolicyRuleset wanted = PolicyRuleset.compile(next.values(), nextIds);

            Set<String> refill = synced ? Set.of() : new HashSet<>(sets);
            String prepare = IpsetPlan.prepare(wanted.sets(), sets, refill);
            if (!prepare.isEmpty()) {
                tools.ipsetRestore(prepare);
            }
            String restore = RestorePlan.of(wanted, saved);
            if (!restore.isEmpty()) {
                tools.restore(restore);
            }
            policies.clear();
            policies.putAll(next);
            ids = nextIds;
            installed = wanted;
            synced = true;
            cleanupSets(wanted);
            LOG.debug("{}: {} policies, {} rules, {} chains, {} sets; restore {} chars", what, next.size(),
                    nextIds.size(), wanted.chains().size(), wanted.sets().size(), restore.length());
        } catch (RuntimeException e) {
            synced = false;
            throw new PolicyException(what + ": " + e.getMessage(), e);
        }
    }

    /** Destroys sets no chain uses any more; a failure only delays that to the next call. */
    private void cleanupSets(PolicyRuleset wanted) {
        try {
            String cleanup = IpsetPlan.cleanup(wanted.sets(), tools.listSets());
            if (!cleanup.isEmpty()) {
                tools.ipsetRestore(cleanup);
            }
        } catch (RuntimeException e) {
            LOG.warn("destroying unused policy ipset sets failed (retried at the next change): {}", e.getMessage());
        }
    }

    private static Set<String> ownSets(Set<String> all) {
        Set<String> own = new HashSet<>();
        all.stream().filter(PolicyNames::isOwnSet).forEach(own::add);
        return own;
    }

    /** Counters read from {@code iptables-save -c}; see {@link PolicyCounters}. */
    @Override
    public PolicyStatistics statistics() {
        PolicyRuleset state;
        synchronized (this) {
            state = installed;
        }
        try {
            return PolicyCounters.read(state, tools.saveFilter());
        } catch (RuntimeException e) {
            throw new PolicyException("reading policy counters: " + e.getMessage(), e);
        }
    }

    /** Removes every chain, jump and set of the enforcer from the namespace the tools run in. */
    static void uninstall(PolicyTools tools) {
        String restore = RestorePlan.uninstall(tools.saveFilter());
        if (!restore.isEmpty()) {
            tools.restore(restore);
        }
        String destroy = IpsetPlan.cleanup(Map.of(), tools.listSets());
        if (!destroy.isEmpty()) {
            tools.ipsetRestore(destroy);
        }
    }

    /** The installed ruleset (tests). */
    synchronized PolicyRuleset installed() {
        return installed;
    }
}
