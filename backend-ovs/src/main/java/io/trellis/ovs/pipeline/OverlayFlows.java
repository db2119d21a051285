package io.trellis.ovs.pipeline;

import static io.trellis.ovs.pipeline.PipelineStage.CLASSIFIER;
import static io.trellis.ovs.pipeline.PipelineStage.CONNTRACK;
import static io.trellis.ovs.pipeline.PipelineStage.L2_OUTPUT;
import static io.trellis.ovs.pipeline.PipelineStage.L3_FORWARDING;
import static io.trellis.ovs.pipeline.PipelineStage.SPOOF_GUARD;
import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.match.MacAddress;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import io.trellis.ovs.openflow.message.OfConstants;
import java.util.List;

/**
 * The flows of the overlay between nodes, on top of {@link PipelineFlows}' pod networking: one
 * flow-based tunnel port (remote_ip=flow, key=flow) shared by every remote node, the destination
 * chosen per packet by {@code tun_dst}.
 *
 * <ul>
 *   <li>Tunnel flows (cookie kind {@link CookieScheme#KIND_TUNNEL}): packets from the tunnel port
 *       are marked {@link PacketSource#TUNNEL}; SpoofGuard lets their IPv4 through (the sending
 *       node's SpoofGuard checked them) and drops their ARP (no broadcast crosses nodes); then the
 *       local pods' L3 flows rewrite eth_dst (the {@link #GLOBAL_VIRTUAL_MAC} on arrival) to the
 *       pod's MAC. In L2_OUTPUT the virtual MAC goes to the tunnel port.</li>
 *   <li>Remote-node flows (cookie kind {@link CookieScheme#KIND_REMOTE_NODE}, object = node IP):
 *       in L3_FORWARDING {@code ip,nw_dst=<remote pod CIDR>} sets eth_src to the gateway MAC,
 *       eth_dst to the virtual MAC, {@code tun_dst} to the node IP and decrements the TTL (the
 *       packet leaves the pod subnet: this is a routed hop). One delete by cookie removes a node.</li>
 * </ul>
 */
public final class OverlayFlows {

    /** The destination MAC of every packet between nodes, whatever the node (Antrea's convention). */
    public static final MacAddress GLOBAL_VIRTUAL_MAC = MacAddress.parse("aa:bb:cc:dd:ee:ff");

    private static final int ETH_TYPE_IPV4 = 0x0800;
    private static final int ETH_TYPE_ARP = 0x0806;

    private final Pipeline pipeline;
    private final CookieScheme cookies;

    public OverlayFlows(Pipeline pipeline, CookieScheme cookies) {
        this.pipeline = requireNonNull(pipeline, "pipeline");
        this.cookies = requireNonNull(cookies, "cookies");
        for (PipelineStage stage : Pipeline.LOCAL_POD_NETWORKING) {
            if (!pipeline.has(stage)) {
                throw new IllegalArgumentException("pipeline " + pipeline + " lacks stage " + stage
                        + ", which the overlay needs");
            }
        }
    }

    /** The overlay for the pipeline and cookies of {@code flows}. */
    public static OverlayFlows of(PipelineFlows flows) {
        return new OverlayFlows(flows.pipeline(), flows.cookies());
    }

    /** The flows of the tunnel port on OpenFlow port {@code tunnelOfport}. */
    public List<FlowMod> tunnelFlows(int tunnelOfport) {
        checkPort(tunnelOfport);
        return List.of(
                tunnel(CLASSIFIER, PipelineFlows.PRIORITY_HIGH, Match.builder().inPort(tunnelOfport).build(),
                        List.of(PacketSource.TUNNEL.mark()), SPOOF_GUARD),
                tunnel(SPOOF_GUARD, PipelineFlows.PRIORITY_HIGH,
                        PacketSource.TUNNEL.matchOn(Match.builder().ethType(ETH_TYPE_IPV4)).build(), Action.drop(),
                        CONNTRACK),
                tunnel(SPOOF_GUARD, PipelineFlows.PRIORITY_HIGH,
                        PacketSource.TUNNEL.matchOn(Match.builder().ethType(ETH_TYPE_ARP)).build(), Action.drop(),
                        null),
                tunnel(L2_OUTPUT, PipelineFlows.PRIORITY_HIGH, Match.builder().ethDst(GLOBAL_VIRTUAL_MAC).build(),
                        List.of(Action.Output.to(tunnelOfport)), null));
    }

    /** The flows towards one remote node; its pod CIDR must not overlap the local one. */
    public List<FlowMod> remoteNodeFlows(NodeNetwork local, RemoteNode remote) {
        requireNonNull(local, "local");
        requireNonNull(remote, "remote");
        Ipv4Subnet cidr = remote.podCidr();
        if (cidr.contains(local.podCidr().network()) || local.podCidr().contains(cidr.network())) {
            throw new IllegalArgumentException("remote node " + remote.name() + ": pod CIDR " + cidr
                    + " overlaps the local pod CIDR " + local.podCidr());
        }
        Match match = Match.builder().ethType(ETH_TYPE_IPV4).ipv4Dst(cidr.network(), cidr.prefixLength()).build();
        List<Action> actions = List.of(Action.SetField.ethSrc(local.gatewayMac().toString()),
                Action.SetField.ethDst(GLOBAL_VIRTUAL_MAC.toString()),
                Action.SetField.tunDst(remote.nodeIp().getHostAddress()), new Action.DecTtl());
        return List.of(pipeline.flow(L3_FORWARDING, PipelineFlows.PRIORITY_NORMAL,
                cookies.remoteNode(L3_FORWARDING, remote.nodeIp()), match, actions, pipeline.next(L3_FORWARDING)));
    }

    /** Deletes every flow towards the node at {@code remote}'s IP. */
    public FlowMod deleteRemoteNode(RemoteNode remote) {
        return deleteByCookie(cookies.remoteNodeValue(requireNonNull(remote, "remote").nodeIp()), cookies.podMask());
    }

    /** Deletes every remote-node flow. */
    public FlowMod deleteAllRemoteNodes() {
        return deleteByCookie(cookies.remoteNodesValue(), cookies.kindMask());
    }

    /** Deletes the tunnel port's flows. */
    public FlowMod deleteTunnel() {
        return deleteByCookie(cookies.tunnelValue(), cookies.kindMask());
    }

    private FlowMod tunnel(PipelineStage stage, int priority, Match match, List<Action> actions, PipelineStage next) {
        return pipeline.flow(stage, priority, cookies.tunnel(stage), match, actions, next);
    }

    private static FlowMod deleteByCookie(long cookie, long mask) {
        return FlowMod.builder(FlowModCommand.DELETE).tableId(OfConstants.TABLE_ALL).cookie(cookie).cookieMask(mask)
                .match(Match.ANY).build();
    }

    private static void checkPort(int ofport) {
        if (ofport < 1 || ofport > 0xfeff) {
            throw new IllegalArgumentException("tunnel ofport: " + ofport + " out of range 1..65279");
        }
    }
}
