package io.trellis.lab.policy;

/**
 * The {@link NetworkPolicyConformanceSuite} with the iptables backend (linux-bridge pods, kernel VXLAN): policies
 * enforced by the iptables enforcer's chains and ipsets in each node namespace.
 */
class IptablesNetworkPolicyConformanceTest extends NetworkPolicyConformanceSuite {
    @Override
    protected String backend() {
        return "iptables";
    }
}
