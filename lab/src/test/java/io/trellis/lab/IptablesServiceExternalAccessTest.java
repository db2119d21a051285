package io.trellis.lab;

import io.trellis.lab.LabState.NodeState;

/**
 * The {@link ServiceExternalAccessSuite} with the iptables backend ({@code lab up --backend iptables}): the agents'
 * iptables Service proxy, which needs no route for an external IP (the packet reaches the node, its nat PREROUTING
 * rules match the address).
 */
class IptablesServiceExternalAccessTest extends ServiceExternalAccessSuite {
    @Override
    protected String backend() {
        return "iptables";
    }

    /** A rule of the node's nat table matching the address as destination. */
    @Override
    protected boolean programsExternalIp(NodeState node, String externalIp) {
        return shell.check(Shell.inNetns(node.netns(), "iptables-save", "-t", "nat"), java.util.Map.of()).lines()
                .anyMatch(l -> l.startsWith("-A ") && l.contains("-d " + externalIp + "/32 "));
    }
}
