package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.match.MacAddress;
import java.net.Inet4Address;

/**
 * A pod attached to the bridge of this node.
 *
 * @param name   namespace/name, for logs and diffs
 * @param ofport OpenFlow port of the pod's veth on the bridge, 1..65279; it also identifies the
 *               pod's flows (their cookie), so two pods never share one
 * @param ip     the pod's IPv4 address
 * @param mac    the MAC of the pod's interface, unicast
 */
public record LocalPod(String name, int ofport, Inet4Address ip, MacAddress mac) {

    public LocalPod {
        requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("pod name is blank");
        }
        if (ofport < 1 || ofport > 0xfeff) {
            throw new IllegalArgumentException("pod " + name + ": ofport " + ofport + " out of range 1..65279");
        }
        requireNonNull(ip, "ip");
        requireNonNull(mac, "mac");
        requireUnicast("pod " + name + " MAC", mac);
    }

    /** Parses the text forms: {@code of("default/a", 11, "10.20.0.11", "0a:00:00:00:00:0b")}. */
    public static LocalPod of(String name, int ofport, String ip, String mac) {
        return new LocalPod(name, ofport, Ipv4Subnet.parseAddress(ip), MacAddress.parse(mac));
    }

    static void requireUnicast(String what, MacAddress mac) {
        // The group bit (I/G, the lowest bit of the first octet) marks multicast and broadcast.
        if ((mac.bytes()[0] & 0x01) != 0) {
            throw new IllegalArgumentException(what + " " + mac + " is a multicast/broadcast address");
        }
    }
}
