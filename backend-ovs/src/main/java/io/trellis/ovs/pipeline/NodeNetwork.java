package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.match.MacAddress;
import java.net.Inet4Address;

/**
 * What the pipeline needs to know about the node: its gateway port on the bridge (an OVS internal
 * port whose kernel side holds the gateway IP, through which pods reach the node and, routed and
 * masqueraded by the node, everything outside the pod CIDR) and the node's pod CIDR.
 *
 * @param gatewayOfport OpenFlow port of the gateway, 1..65279
 * @param gatewayIp     the gateway's IPv4 address, inside podCidr (the pods' default route)
 * @param gatewayMac    the gateway's MAC, unicast
 * @param podCidr       the addresses of this node's pods
 */
public record NodeNetwork(int gatewayOfport, Inet4Address gatewayIp, MacAddress gatewayMac, Ipv4Subnet podCidr) {

    public NodeNetwork {
        if (gatewayOfport < 1 || gatewayOfport > 0xfeff) {
            throw new IllegalArgumentException("gateway ofport: " + gatewayOfport + " out of range 1..65279");
        }
        requireNonNull(gatewayIp, "gatewayIp");
        requireNonNull(gatewayMac, "gatewayMac");
        requireNonNull(podCidr, "podCidr");
        if (!podCidr.contains(gatewayIp)) {
            throw new IllegalArgumentException("gateway IP " + gatewayIp.getHostAddress() + " is outside the pod CIDR "
                    + podCidr);
        }
        LocalPod.requireUnicast("gateway MAC", gatewayMac);
    }

    /** Parses the text forms: {@code of(1, "10.20.0.1", "0a:00:00:00:00:01", "10.20.0.0/24")}. */
    public static NodeNetwork of(int gatewayOfport, String gatewayIp, String gatewayMac, String podCidr) {
        return new NodeNetwork(gatewayOfport, Ipv4Subnet.parseAddress(gatewayIp), MacAddress.parse(gatewayMac),
                Ipv4Subnet.parse(podCidr));
    }
}
