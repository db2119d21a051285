package io.trellis.lab.policy;

/** The {@link NetworkPolicyConformanceSuite} with the ovs backend: policies enforced by OVS flows. */
class NetworkPolicyConformanceTest extends NetworkPolicyConformanceSuite {
    @Override
    protected String backend() {
        return "ovs";
    }
}
