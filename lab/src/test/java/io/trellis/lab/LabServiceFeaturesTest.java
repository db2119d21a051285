package io.trellis.lab;

/** The {@link ServiceFeaturesSuite} with the ovs backend (the default): the agents' OVS Service proxy. */
class LabServiceFeaturesTest extends ServiceFeaturesSuite {
    @Override
    protected String backend() {
        return "ovs";
    }
}
