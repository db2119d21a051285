package io.trellis.agent.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.controlplane.policy.AppliedToGroup;
import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.NodePolicyListener;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.PolicyRef;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's end of the policy channel: keeps the applied-to groups (this node's members only),
 * address groups and policies the controller sent for this node, turns each policy with local pods
 * into {@link NetworkPolicyRules} ({@link PolicyRulesBuilder}) and hands the result to
 * {@link EnforcerSync}, which calls the enforcer only for policies whose rules changed.
 *
 * <p>Events come from the channel client's thread; the methods are synchronized anyway so that a
 * test or a second caller cannot interleave them. Nothing here reacts to the channel being down:
 * without events the enforcer keeps the last state, and the controller's next snapshot
 * ({@link #replaceAll}) replaces it once it is back.
 */
public final class NodePolicyState implements NodePolicyListener {
    private static final Logger LOG = LoggerFactory.getLogger(NodePolicyState.class);

    private final String nodeName;
    private final EnforcerSync sync;
    private final PolicyRulesBuilder builder = new PolicyRulesBuilder();
    private final PolicyObjectStore store = new PolicyObjectStore();

    /**
     * @param nodeName this node: applied-to group members elsewhere are ignored (the controller
     *                 sends none, but a pod on another node must never become a local target)
     */
    public NodePolicyState(String nodeName, EnforcerSync sync) {
        this.nodeName = requireNonNull(nodeName, "nodeName");
        this.sync = requireNonNull(sync, "sync");
    }

    @Override
    public synchronized void replaceAll(Collection<PolicyObject> objects) {
        store.clear();
        for (PolicyObject object : objects) {
            store.upsert(localOnly(object));
        }
        Map<PolicyRef, NetworkPolicyRules> desired = new TreeMap<>(PolicyOrder.POLICY);
        for (PolicyRef ref : store.refs()) {
            rulesOf(ref).ifPresent(r -> desired.put(ref, r));
        }
        LOG.info("policy snapshot from the controller: {} object(s), {} polic{} with local pods", objects.size(),
                desired.size(), desired.size() == 1 ? "y" : "ies");
        sync.replaceAll(desired);
    }

    @Override
    public synchronized void upsert(PolicyObject object) {
        recompute(store.upsert(localOnly(object)));
    }

    @Override
    public synchronized void remove(PolicyObjectKey key) {
        recompute(store.remove(key));
    }

    private void recompute(Set<PolicyRef> affected) {
        for (PolicyRef ref : affected) {
            Optional<NetworkPolicyRules> rules = rulesOf(ref);
            if (rules.isPresent()) {
                sync.put(rules.get());
            } else {
                sync.remove(ref);
            }
        }
    }

    /**
     * The rules of the policy standing for {@code ref}; empty when it has no local pod or is gone.
     * Should building them fail (a bug: the objects are validated when decoded), the rules wanted
     * so far stay, rather than dropping a policy and opening its pods.
     */
    private Optional<NetworkPolicyRules> rulesOf(PolicyRef ref) {
        Optional<InternalPolicy> policy = store.policy(ref);
        if (policy.isEmpty()) {
            return Optional.empty();
        }
        List<PodMember> targets = store.appliedToGroup(policy.get().appliedToGroup())
                .map(AppliedToGroup::members).orElse(List.of());
        try {
            return builder.build(policy.get(), targets, store::addressGroup);
        } catch (RuntimeException e) {
            LOG.error("cannot build the rules of policy {} (uid {}); keeping its previous rules", ref,
                    policy.get().uid(), e);
            return sync.desired(ref);
        }
    }

    private PolicyObject localOnly(PolicyObject object) {
        if (object instanceof AppliedToGroup group) {
            AppliedToGroup local = group.onNode(nodeName);
            if (local.members().size() != group.members().size()) {
                LOG.warn("applied-to group {} lists {} member(s) on other nodes; ignoring them", group.name(),
                        group.members().size() - local.members().size());
            }
            return local;
        }
        return object;
    }
}
