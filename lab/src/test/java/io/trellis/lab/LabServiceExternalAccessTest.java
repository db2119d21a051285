package io.trellis.lab;

import io.trellis.lab.LabState.NodeState;

/**
 * The {@link ServiceExternalAccessSuite} with the ovs backend (the default): the agents' OVS Service proxy, which
 * carries an external IP to br-int by a host route of its own (protocol 117) on each node.
 */
class LabServiceExternalAccessTest extends ServiceExternalAccessSuite {
    @Override
    protected String backend() {
        return "ovs";
    }

    /** A Service route (protocol 117) to the address. */
    @Override
    protected boolean programsExternalIp(NodeState node, String externalIp) {
        return shell.check("ip", "-n", node.netns(), "route", "show", "proto", "117").lines()
                .anyMatch(l -> l.startsWith(externalIp + " "));
    }
}
