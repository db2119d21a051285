package io.trellis.spi.policy;

import static java.util.Objects.requireNonNull;

/**
 * What one NetworkPolicy rule allowed on this node since the enforcer installed it: cumulative
 * counters, so a consumer computes rates from two readings (they restart from zero when the
 * backend re-installs its state, e.g. after a switch restart).
 *
 * @param ref       the policy
 * @param direction INGRESS or EGRESS list of the policy
 * @param index     the rule's position in that list
 * @param sessions  connections the rule allowed
 * @param packets   packets of those connections, both directions
 * @param bytes     bytes of those connections, both directions
 */
public record RuleCounters(PolicyRef ref, Direction direction, int index, long sessions, long packets, long bytes) {
    public RuleCounters {
        requireNonNull(ref, "ref");
        requireNonNull(direction, "direction");
        if (index < 0 || sessions < 0 || packets < 0 || bytes < 0) {
            throw new IllegalArgumentException("rule counters of " + ref + " " + direction + "[" + index
                    + "] must not be negative: sessions " + sessions + ", packets " + packets + ", bytes " + bytes);
        }
    }
}
