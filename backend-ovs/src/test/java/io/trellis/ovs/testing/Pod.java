package io.trellis.ovs.testing;

import static java.util.Objects.requireNonNull;

/**
 * A "pod" made by {@link OvsSandbox#addPod}: its own network namespace whose eth0 is one end of a
 * veth pair; the other end ({@code bridgePort}) is an OVS port with OpenFlow port number ofport.
 */
public record Pod(String netns, String bridgePort, String mac, String ipv4, int ofport) {
    public Pod {
        requireNonNull(netns, "netns");
        requireNonNull(bridgePort, "bridgePort");
        requireNonNull(mac, "mac");
        requireNonNull(ipv4, "ipv4");
        if (ofport < 1 || ofport > 0xfeff) {
            throw new IllegalArgumentException("ofport " + ofport + " outside 1..65279");
        }
    }

    /** The pod's interface name inside its namespace. */
    public String interfaceName() {
        return "eth0";
    }
}
