package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.node.NodeInfo;
import io.trellis.spi.node.NodeRouteException;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The userspace datapath's underlay: OVS encapsulates tunnel packets itself and sends them only
 * out of an OVS bridge holding the route to the remote node, so the node IP moves onto the uplink
 * bridge ({@link UplinkBridge}). The uplink is, in order: the one recorded on the bridge by an
 * earlier run, {@code settings.ovs.netdev.uplinkInterface}, or the link that holds the Node's first
 * InternalIP.
 */
final class NetdevUplink implements TunnelUnderlay {

    private final UplinkBridge bridge;
    private final String bridgeName;
    private final Optional<String> configuredUplink;
    private final NodeNetlink netlink;

    NetdevUplink(UplinkBridge bridge, String bridgeName, Optional<String> configuredUplink, NodeNetlink netlink) {
        this.bridge = requireNonNull(bridge, "bridge");
        this.bridgeName = requireNonNull(bridgeName, "bridgeName");
        this.configuredUplink = requireNonNull(configuredUplink, "configuredUplink");
        this.netlink = requireNonNull(netlink, "netlink");
    }

    @Override
    public synchronized void prepare(NodeInfo local) {
        String uplink = uplinkOf(local);
        try {
            bridge.moveOnto(uplink);
        } catch (RuntimeException e) {
            throw new NodeRouteException("moving the node IP from " + uplink + " onto the uplink bridge " + bridgeName
                    + " failed: " + e.getMessage(), e);
        }
    }

    private String uplinkOf(NodeInfo local) {
        Optional<String> recorded = bridge.recordedUplink();
        if (recorded.isPresent()) {
            if (configuredUplink.isPresent() && !configuredUplink.get().equals(recorded.get())) {
                throw new NodeRouteException("settings.ovs.netdev.uplinkInterface is " + configuredUplink.get()
                        + " but bridge " + bridgeName + " holds uplink " + recorded.get() + "; run trellis-agent"
                        + " --uninstall first to give it back");
            }
            return recorded.get();
        }
        if (configuredUplink.isPresent()) {
            return configuredUplink.get();
        }
        InetAddress nodeIp = local.addresses().get(0);
        String holder = UplinkBridge.linkHolding(netlink.node(), nodeIp).orElseThrow(() -> new NodeRouteException(
                "node " + local.name() + ": its InternalIP " + nodeIp.getHostAddress() + " is on no interface of "
                        + netlink.nodeNamespace().description() + "; set settings.ovs.netdev.uplinkInterface"));
        if (holder.equals(bridgeName)) {
            throw new NodeRouteException("node IP " + nodeIp.getHostAddress() + " is already on " + bridgeName
                    + ", which records no uplink; set settings.ovs.netdev.uplinkInterface");
        }
        return holder;
    }
}
