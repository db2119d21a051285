package io.trellis.ovs.pipeline;

import static io.trellis.ovs.pipeline.PipelineStage.ARP_FORWARDING;
import static io.trellis.ovs.pipeline.PipelineStage.CLASSIFIER;
import static io.trellis.ovs.pipeline.PipelineStage.CONNTRACK;
import static io.trellis.ovs.pipeline.PipelineStage.CONNTRACK_COMMIT;
import static io.trellis.ovs.pipeline.PipelineStage.CONNTRACK_STATE;
import static io.trellis.ovs.pipeline.PipelineStage.L2_OUTPUT;
import static io.trellis.ovs.pipeline.PipelineStage.L3_FORWARDING;
import static io.trellis.ovs.pipeline.PipelineStage.SERVICE_AFFINITY;
import static io.trellis.ovs.pipeline.PipelineStage.SERVICE_ENDPOINT;
import static io.trellis.ovs.pipeline.PipelineStage.SERVICE_LB;
import static io.trellis.ovs.pipeline.PipelineStage.SPOOF_GUARD;
import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import io.trellis.ovs.openflow.message.OfConstants;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Computes the flows of pod networking on one node: pure functions from the model
 * ({@link NodeNetwork}, {@link LocalPod}) to flow-mods, so the same input always gives the same
 * flows, in the same order.
 *
 * <p>The path of a packet:
 * <ol>
 *   <li>{@code CLASSIFIER}: the gateway port and each pod port mark {@link PacketSource} in reg0;
 *       an unknown port is dropped.</li>
 *   <li>{@code SPOOF_GUARD}: gateway packets are exempt; a pod's ARP must carry its own
 *       (in_port, arp_spa, arp_sha), its IPv4 its own (in_port, dl_src, nw_src); everything else,
 *       IPv6 included (pods are IPv4-only for now), is dropped.</li>
 *   <li>{@code ARP_FORWARDING}: ARP is neither answered by OVS nor flooded: each request and reply
 *       goes to the one port owning its target IP (the gateway's kernel answers for the gateway IP,
 *       a pod for its own), so pods resolve the gateway and each other, the node resolves pods,
 *       and no broadcast reaches a port that has no business with it.</li>
 *   <li>{@code CONNTRACK} / {@code CONNTRACK_STATE}: IPv4 goes through conntrack in zone
 *       {@code ctZone}; invalid packets are dropped (with Services, invalid TCP resets go on and
 *       to the agent: {@link ServiceFlows#invalidResetMatch()}).</li>
 *   <li>{@code SERVICE_LB}, only in {@link Pipeline#withServices()}: its flows come from
 *       {@link ServiceFlows}; here only the miss flow (continue). The conntrack lookup then
 *       also applies NAT ({@code ct(nat)}).</li>
 *   <li>{@code L3_FORWARDING}: to a local pod IP, eth_src becomes the gateway MAC and eth_dst the
 *       pod's MAC, so delivery does not depend on what the sender resolved (the node, a pod, later
 *       a tunnel). No dec_ttl: pods and the gateway share one subnet, a pod reaches another pod
 *       in one hop without a router, and traffic the node routes into the gateway has had its TTL
 *       decremented by the node's kernel. To the gateway IP, and from pods to anything outside
 *       the pod CIDR, eth_dst becomes the gateway MAC: the node delivers or routes it (SNAT to
 *       outside addresses is the node's masquerade rule, not a flow). Other pod-CIDR addresses
 *       (no such pod, the broadcast address) are dropped, as is gateway traffic to non-pod
 *       addresses (it would only loop back).</li>
 *   <li>{@code CONNTRACK_COMMIT}: new connections are committed, after every stage that may still
 *       drop them (policy stages go before it).</li>
 *   <li>{@code L2_OUTPUT}: output to the port owning eth_dst.</li>
 * </ol>
 * With Services, hairpin (a pod reaching itself through a Service): per pod, L3_FORWARDING SNATs
 * a packet whose source and (DNATed) destination are the pod to {@link #HAIRPIN_SOURCE} in the
 * {@link #hairpinCtZone()} and L2_OUTPUT sends the pod's own frames back out of its port
 * ({@code IN_PORT}); CONNTRACK undoes the SNAT of the pod's answers before the pod zone's lookup;
 * CONNTRACK_COMMIT leaves hairpin packets alone. The resubmit-only tables of session affinity
 * (SERVICE_AFFINITY, SERVICE_ENDPOINT) get their miss flows here.
 * Every table ends with a priority-0 flow, so no packet depends on the switch's table-miss setting.
 */
public final class PipelineFlows {

    /** Conntrack zone of pod traffic unless configured otherwise. */
    public static final int DEFAULT_CT_ZONE = 65520;

    /** Above the per-pod flows: hairpin handling that must win over plain delivery. */
    static final int PRIORITY_HAIRPIN = 210;
    static final int PRIORITY_HIGH = 200;
    static final int PRIORITY_NORMAL = 190;
    static final int PRIORITY_LOW = 180;
    static final int PRIORITY_MISS = 0;

    private static final int ETH_TYPE_IPV4 = 0x0800;
    private static final int ETH_TYPE_ARP = 0x0806;

    /**
     * The source address of hairpin connections (a pod reaching itself through a Service): a
     * link-local address no host or pod uses, so only the SNAT of such connections makes packets
     * carry it and a pod's answers to it are known to be hairpin replies. The pod routes it through
     * its default route (the gateway MAC), so it needs no ARP.
     */
    public static final Inet4Address HAIRPIN_SOURCE = Ipv4Subnet.parseAddress("169.254.0.252");

    private final Pipeline pipeline;
    private final CookieScheme cookies;
    private final int ctZone;

    /**
     * @param pipeline must enable every stage of {@link Pipeline#LOCAL_POD_NETWORKING}
     * @param cookies  how flows are marked as the agent's
     * @param ctZone   conntrack zone for pod traffic, 0..65535
     */
    public PipelineFlows(Pipeline pipeline, CookieScheme cookies, int ctZone) {
        this.pipeline = requireNonNull(pipeline, "pipeline");
        this.cookies = requireNonNull(cookies, "cookies");
        for (PipelineStage stage : Pipeline.LOCAL_POD_NETWORKING) {
            if (!pipeline.has(stage)) {
                throw new IllegalArgumentException("pipeline " + pipeline + " lacks stage " + stage
                        + ", which pod networking needs");
            }
        }
        if (ctZone < 0 || ctZone > 0xffff) {
            throw new IllegalArgumentException("conntrack zone: " + ctZone + " out of range 0..65535");
        }
        this.ctZone = ctZone;
    }

    /** The full pipeline, the default cookie owner and zone {@value #DEFAULT_CT_ZONE}. */
    public static PipelineFlows defaults() {
        return new PipelineFlows(Pipeline.localPodNetworking(), CookieScheme.DEFAULT, DEFAULT_CT_ZONE);
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    public CookieScheme cookies() {
        return cookies;
    }

    public int ctZone() {
        return ctZone;
    }

    /**
     * The conntrack zone of the hairpin SNAT ({@link #HAIRPIN_SOURCE}): {@code ctZone ^ 1} (65521
     * for the default zone), always another zone than the pod traffic's. A second zone because a
     * connection already committed with its Service DNAT cannot get a SNAT added in the same zone.
     */
    public int hairpinCtZone() {
        return ctZone ^ 1;
    }

    // ------------------------------------------------------------------ whole sets

    /**
     * Every flow of the node with these pods: node flows first, then each pod's in the given order.
     * Pods must have distinct ports, IPs and MACs, none equal to the gateway's, and IPs in the pod CIDR.
     */
    public List<FlowMod> all(NodeNetwork node, Collection<LocalPod> pods) {
        requireNonNull(node, "node");
        requireNonNull(pods, "pods");
        checkDistinct(node, pods);
        List<FlowMod> flows = new ArrayList<>(nodeFlows(node));
        for (LocalPod pod : pods) {
            flows.addAll(podFlows(node, pod));
        }
        return flows;
    }

    /** Deletes every flow the agent owns, in every table (non-strict delete by cookie and mask). */
    public FlowMod deleteOwned() {
        return deleteByCookie(cookies.ownerValue(), cookies.ownerMask());
    }

    /**
     * Deletes every owned flow except the overlay's (tunnel and remote-node kinds), for an install
     * that must not touch the overlay ({@link PipelineInstaller#installKeepingOverlay}).
     */
    public List<FlowMod> deleteOwnedExceptOverlay() {
        return deleteOwnedExceptOverlay(Set.of());
    }

    /** Like {@link #deleteOwnedExceptOverlay()}, also keeping the flows of the cookie kinds {@code kept}. */
    public List<FlowMod> deleteOwnedExceptOverlay(Set<Integer> kept) {
        requireNonNull(kept, "kept");
        return List.of(CookieScheme.KIND_NODE, CookieScheme.KIND_POD, CookieScheme.KIND_SERVICE,
                        CookieScheme.KIND_SERVICE_AFFINITY).stream()
                .filter(kind -> !kept.contains(kind))
                .map(kind -> deleteByCookie(cookies.kindValue(kind), cookies.kindMask())).toList();
    }

    /**
     * Deletes every owned flow except those of the cookie kinds {@code kept} (flows OVS learned
     * for a feature that a full install must not reset): {@link #deleteOwned()} when nothing is
     * kept, else one delete per block of {@link CookieScheme#ownedExceptKinds}.
     */
    public List<FlowMod> deleteOwnedExcept(Set<Integer> kept) {
        if (requireNonNull(kept, "kept").isEmpty()) {
            return List.of(deleteOwned());
        }
        return cookies.ownedExceptKinds(kept).stream().map(sel -> deleteByCookie(sel.value(), sel.mask())).toList();
    }

    /** Deletes every flow of the pod on {@code ofport}. */
    public FlowMod deletePod(int ofport) {
        return deleteByCookie(cookies.podValue(ofport), cookies.podMask());
    }

    private static FlowMod deleteByCookie(long cookie, long mask) {
        return FlowMod.builder(FlowModCommand.DELETE).tableId(OfConstants.TABLE_ALL).cookie(cookie).cookieMask(mask)
                .match(Match.ANY).build();
    }

    // ------------------------------------------------------------------ node flows

    /** The flows that exist once per node: gateway handling and each table's miss flow. */
    public List<FlowMod> nodeFlows(NodeNetwork node) {
        requireNonNull(node, "node");
        int gw = node.gatewayOfport();
        String gwMac = node.gatewayMac().toString();
        List<FlowMod> f = new ArrayList<>();

        f.add(node(CLASSIFIER, PRIORITY_HIGH, Match.builder().inPort(gw).build(),
                List.of(PacketSource.GATEWAY.mark()), SPOOF_GUARD));
        f.add(node(CLASSIFIER, PRIORITY_MISS, Match.ANY, Action.drop(), null));

        // The gateway is the node itself: exempt from SpoofGuard (it routes for many source addresses).
        f.add(node(SPOOF_GUARD, PRIORITY_HIGH, PacketSource.GATEWAY.matchOn(Match.builder().ethType(ETH_TYPE_ARP))
                .build(), Action.drop(), ARP_FORWARDING));
        f.add(node(SPOOF_GUARD, PRIORITY_HIGH, PacketSource.GATEWAY.matchOn(Match.builder().ethType(ETH_TYPE_IPV4))
                .build(), Action.drop(), CONNTRACK));
        f.add(node(SPOOF_GUARD, PRIORITY_MISS, Match.ANY, Action.drop(), null));

        f.add(node(ARP_FORWARDING, PRIORITY_HIGH, arpTo(node.gatewayIp()), List.of(output(gw)), null));
        f.add(node(ARP_FORWARDING, PRIORITY_MISS, Match.ANY, Action.drop(), null));

        if (pipeline.has(SERVICE_LB)) {
            // A pod's answer to a hairpin connection (to HAIRPIN_SOURCE) first gets its SNAT undone
            // in the hairpin zone, then comes back here (now tracked, so this flow no longer matches)
            // for the Service's DNAT to be undone in the pod zone.
            f.add(node(CONNTRACK, PRIORITY_HAIRPIN, ipv4().ctState("-trk").ipv4Dst(HAIRPIN_SOURCE, 32).build(),
                    List.of(Action.Ct.lookup(hairpinCtZone(), pipeline.table(CONNTRACK))
                            .withNat(Action.Nat.existing())), null));
        }
        Action.Ct lookup = Action.Ct.lookup(ctZone, pipeline.table(CONNTRACK_STATE));
        // With Services, the lookup also applies each connection's NAT: later packets of a
        // connection DNATed by SERVICE_LB go to its endpoint, replies get the cluster IP back.
        f.add(node(CONNTRACK, PRIORITY_HIGH, ipv4().build(),
                List.of(pipeline.has(SERVICE_LB) ? lookup.withNat(Action.Nat.existing()) : lookup), null));
        f.add(node(CONNTRACK, PRIORITY_MISS, Match.ANY, Action.drop(), null));

        f.add(node(CONNTRACK_STATE, PRIORITY_HIGH, ipv4().ctState("+inv+trk").build(), Action.drop(), null));
        if (pipeline.has(SERVICE_LB)) {
            // An invalid TCP reset goes on (and to the agent): see ServiceFlows#invalidResetMatch.
            ServiceFlows services = ServiceFlows.of(this);
            f.add(node(CONNTRACK_STATE, ServiceFlows.PRIORITY_INVALID_RESET, services.invalidResetMatch(),
                    services.invalidResetActions(), pipeline.next(CONNTRACK_STATE)));
        }
        f.add(node(CONNTRACK_STATE, PRIORITY_MISS, Match.ANY, Action.drop(), pipeline.next(CONNTRACK_STATE)));

        if (pipeline.has(SERVICE_LB)) {
            // Everything that is not a new connection to a Service frontend goes on unchanged.
            f.add(node(SERVICE_LB, PRIORITY_MISS, Match.ANY, Action.drop(), pipeline.next(SERVICE_LB)));
        }

        f.add(node(L3_FORWARDING, PRIORITY_HIGH, ipv4().ipv4Dst(node.gatewayIp(), 32).build(),
                List.of(Action.SetField.ethDst(gwMac)), pipeline.next(L3_FORWARDING)));
        f.add(node(L3_FORWARDING, PRIORITY_NORMAL,
                ipv4().ipv4Dst(node.podCidr().network(), node.podCidr().prefixLength()).build(),
                Action.drop(), null));
        f.add(node(L3_FORWARDING, PRIORITY_LOW, PacketSource.LOCAL_POD.matchOn(ipv4()).build(),
                List.of(Action.SetField.ethDst(gwMac)), pipeline.next(L3_FORWARDING)));
        f.add(node(L3_FORWARDING, PRIORITY_MISS, Match.ANY, Action.drop(), null));

        if (pipeline.has(SERVICE_LB)) {
            // After the hairpin SNAT the packet's conntrack state is the hairpin zone's, where it is
            // committed already; committing its SNATed tuple in the pod zone would only leave a stray entry.
            f.add(node(CONNTRACK_COMMIT, PRIORITY_HAIRPIN, ipv4().ctZone(hairpinCtZone()).build(), Action.drop(),
                    pipeline.next(CONNTRACK_COMMIT)));
        }
        f.add(node(CONNTRACK_COMMIT, PRIORITY_HIGH, ipv4().ctState("+new+trk").build(),
                List.of(Action.Ct.commit(ctZone)), pipeline.next(CONNTRACK_COMMIT)));
        f.add(node(CONNTRACK_COMMIT, PRIORITY_MISS, Match.ANY, Action.drop(), pipeline.next(CONNTRACK_COMMIT)));

        if (pipeline.has(PipelineStage.INGRESS_POLICY)) {
            // NetworkPolicy: passes, misses, and the commit that records the deciding rules in ct_label.
            f.addAll(PolicyFlows.of(this).nodeFlows(node));
        }

        f.add(node(L2_OUTPUT, PRIORITY_HIGH, Match.builder().ethDst(node.gatewayMac()).build(),
                List.of(output(gw)), null));
        f.add(node(L2_OUTPUT, PRIORITY_MISS, Match.ANY, Action.drop(), null));

        // Resubmit-only lookups of session affinity (ServiceFlows): a miss does nothing, and the
        // resubmitting flow goes on with its next action.
        for (PipelineStage lookupOnly : List.of(SERVICE_AFFINITY, SERVICE_ENDPOINT)) {
            if (pipeline.has(lookupOnly)) {
                f.add(node(lookupOnly, PRIORITY_MISS, Match.ANY, Action.drop(), null));
            }
        }
        return f;
    }

    // ------------------------------------------------------------------ pod flows

    /** The flows of one pod: classification, SpoofGuard, ARP delivery, L3 forwarding, L2 output. */
    public List<FlowMod> podFlows(NodeNetwork node, LocalPod pod) {
        requireNonNull(node, "node");
        requireNonNull(pod, "pod");
        checkPod(node, pod);
        int port = pod.ofport();
        List<FlowMod> f = new ArrayList<>();

        f.add(pod(pod, CLASSIFIER, PRIORITY_HIGH, Match.builder().inPort(port).build(),
                List.of(PacketSource.LOCAL_POD.mark()), SPOOF_GUARD));

        f.add(pod(pod, SPOOF_GUARD, PRIORITY_HIGH, Match.builder().inPort(port).ethType(ETH_TYPE_ARP)
                .arpSpa(pod.ip().getHostAddress()).arpSha(pod.mac()).build(), Action.drop(), ARP_FORWARDING));
        f.add(pod(pod, SPOOF_GUARD, PRIORITY_HIGH, Match.builder().inPort(port).ethSrc(pod.mac())
                .ethType(ETH_TYPE_IPV4).ipv4Src(pod.ip(), 32).build(), Action.drop(), CONNTRACK));

        f.add(pod(pod, ARP_FORWARDING, PRIORITY_HIGH, arpTo(pod.ip()), List.of(output(port)), null));

        if (pipeline.has(SERVICE_LB)) {
            // Hairpin: the pod reached itself through a Service (source = destination after the DNAT,
            // which happened in the pod zone). Its kernel would drop a packet from its own address,
            // so the source becomes HAIRPIN_SOURCE (hairpin zone), and the packet starts this stage again.
            f.add(pod(pod, L3_FORWARDING, PRIORITY_HAIRPIN, ipv4().ctZone(ctZone).ipv4Src(pod.ip(), 32)
                    .ipv4Dst(pod.ip(), 32).build(),
                    List.of(new Action.Ct(true, false, null, hairpinCtZone(), pipeline.table(L3_FORWARDING), 0,
                            Action.Nat.src(HAIRPIN_SOURCE, 0), List.of())), null));
        }
        f.add(pod(pod, L3_FORWARDING, PRIORITY_HIGH, ipv4().ipv4Dst(pod.ip(), 32).build(),
                List.of(Action.SetField.ethSrc(node.gatewayMac().toString()),
                        Action.SetField.ethDst(pod.mac().toString())),
                pipeline.next(L3_FORWARDING)));

        if (pipeline.has(SERVICE_LB)) {
            // Both directions of a hairpin connection leave through the port they came in on,
            // which a plain output skips (OpenFlow 1.5.1 section 7.2.6.1: use OFPP_IN_PORT).
            f.add(pod(pod, L2_OUTPUT, PRIORITY_HAIRPIN, Match.builder().inPort(port).ethDst(pod.mac()).build(),
                    List.of(output(Action.Output.IN_PORT)), null));
        }
        f.add(pod(pod, L2_OUTPUT, PRIORITY_HIGH, Match.builder().ethDst(pod.mac()).build(),
                List.of(output(port)), null));
        return f;
    }

    // ------------------------------------------------------------------ helpers

    private FlowMod node(PipelineStage stage, int priority, Match match, List<Action> actions, PipelineStage next) {
        return pipeline.flow(stage, priority, cookies.node(stage), match, actions, next);
    }

    private FlowMod pod(LocalPod pod, PipelineStage stage, int priority, Match match, List<Action> actions,
            PipelineStage next) {
        return pipeline.flow(stage, priority, cookies.pod(stage, pod.ofport()), match, actions, next);
    }

    private static Match.Builder ipv4() {
        return Match.builder().ethType(ETH_TYPE_IPV4);
    }

    private static Match arpTo(Inet4Address target) {
        return Match.builder().ethType(ETH_TYPE_ARP).arpTpa(target.getHostAddress()).build();
    }

    private static Action output(long port) {
        return Action.Output.to(port);
    }

    private static void checkPod(NodeNetwork node, LocalPod pod) {
        if (!node.podCidr().contains(pod.ip())) {
            throw new IllegalArgumentException("pod " + pod.name() + ": IP " + pod.ip().getHostAddress()
                    + " is outside the pod CIDR " + node.podCidr());
        }
        if (pod.ip().equals(node.gatewayIp())) {
            throw new IllegalArgumentException("pod " + pod.name() + ": IP " + pod.ip().getHostAddress()
                    + " is the gateway's");
        }
        if (pod.ofport() == node.gatewayOfport()) {
            throw new IllegalArgumentException("pod " + pod.name() + ": ofport " + pod.ofport() + " is the gateway's");
        }
        if (pod.mac().equals(node.gatewayMac())) {
            throw new IllegalArgumentException("pod " + pod.name() + ": MAC " + pod.mac() + " is the gateway's");
        }
    }

    private static void checkDistinct(NodeNetwork node, Collection<LocalPod> pods) {
        Map<Integer, LocalPod> byPort = new HashMap<>();
        Map<Inet4Address, LocalPod> byIp = new HashMap<>();
        Map<io.trellis.ovs.openflow.match.MacAddress, LocalPod> byMac = new HashMap<>();
        for (LocalPod pod : pods) {
            requireNonNull(pod, "pod");
            checkPod(node, pod);
            LocalPod other = byPort.putIfAbsent(pod.ofport(), pod);
            if (other != null) {
                throw new IllegalArgumentException("pods " + other.name() + " and " + pod.name() + " share ofport "
                        + pod.ofport());
            }
            other = byIp.putIfAbsent(pod.ip(), pod);
            if (other != null) {
                throw new IllegalArgumentException("pods " + other.name() + " and " + pod.name() + " share IP "
                        + pod.ip().getHostAddress());
            }
            other = byMac.putIfAbsent(pod.mac(), pod);
            if (other != null) {
                throw new IllegalArgumentException("pods " + other.name() + " and " + pod.name() + " share MAC "
                        + pod.mac());
            }
        }
    }
}
