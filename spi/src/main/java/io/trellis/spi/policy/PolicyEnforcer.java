package io.trellis.spi.policy;

import java.util.Collection;

/**
 * Enforces NetworkPolicies on this node's pods, statefully: replies of an allowed connection are
 * allowed; a connection already established when a policy starts denying it may be cut.
 *
 * <p>Threading: the agent calls the enforcer from one thread at a time, in event order.
 *
 * <p>Errors: methods throw {@link PolicyException}; the agent then calls {@link #replaceAll} later
 * with the full set. Until a policy is installed the enforcer must not allow more than the policies
 * it last accepted (fail closed for pods already isolated).
 *
 * <p>Idempotence: each call states the desired end state for the policies it names.
 */
public interface PolicyEnforcer {

    /** The complete set of policies with local targets: policies not listed are removed. */
    void replaceAll(Collection<NetworkPolicyRules> policies);

    /** One policy was created or changed, or the local pods it selects or the peers it allows changed. */
    void upsert(NetworkPolicyRules policy);

    /** One policy was deleted; removing an unknown policy is not an error. */
    void remove(PolicyRef ref);

    /**
     * The counters of every installed rule (one entry per policy, direction and rule index, adding
     * up rules split for named ports) and of default-deny drops per isolated pod. Enforcers that
     * count nothing return {@link PolicyStatistics#NONE}.
     */
    default PolicyStatistics statistics() {
        return PolicyStatistics.NONE;
    }
}
