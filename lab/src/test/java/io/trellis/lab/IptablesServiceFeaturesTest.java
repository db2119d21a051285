package io.trellis.lab;

/**
 * The {@link ServiceFeaturesSuite} with the iptables backend ({@code lab up --backend iptables}): the agents'
 * iptables Service proxy.
 */
class IptablesServiceFeaturesTest extends ServiceFeaturesSuite {
    @Override
    protected String backend() {
        return "iptables";
    }
}
