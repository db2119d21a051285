package io.trellis.lab.policy;

/** The {@link NetworkPolicyStatsSuite} with the iptables backend: counters from the enforcer's rules. */
class IptablesNetworkPolicyStatsTest extends NetworkPolicyStatsSuite {
    @Override
    protected String backend() {
        return "iptables";
    }
}
