package io.trellis.lab;

/**
 * The {@link ServicesSuite} with the iptables backend ({@code lab up --backend iptables}): the agents' iptables
 * Service proxy (kube-proxy-style nat chains, statistic-mode balancing, the recent module for ClientIP affinity,
 * REJECT for a Service without endpoints). No unanswered connection is tolerated.
 */
class IptablesServicesTest extends ServicesSuite {
    @Override
    protected String backend() {
        return "iptables";
    }
}
