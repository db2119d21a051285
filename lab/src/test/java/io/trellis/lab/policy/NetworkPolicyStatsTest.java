package io.trellis.lab.policy;

/** The {@link NetworkPolicyStatsSuite} with the ovs backend: counters from OVS flows. */
class NetworkPolicyStatsTest extends NetworkPolicyStatsSuite {
    @Override
    protected String backend() {
        return "ovs";
    }
}
