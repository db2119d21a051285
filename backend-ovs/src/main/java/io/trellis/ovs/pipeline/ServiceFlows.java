package io.trellis.ovs.pipeline;

import static io.trellis.ovs.pipeline.PipelineStage.SERVICE_AFFINITY;
import static io.trellis.ovs.pipeline.PipelineStage.SERVICE_ENDPOINT;
import static io.trellis.ovs.pipeline.PipelineStage.SERVICE_LB;
import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.LearnSpec;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.MatchField;
import io.trellis.ovs.openflow.match.OxmFields;
import io.trellis.ovs.openflow.match.Subfield;
import io.trellis.ovs.openflow.message.Bucket;
import io.trellis.ovs.openflow.message.CtFlush;
import io.trellis.ovs.openflow.message.CtTuple;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import io.trellis.ovs.openflow.message.GroupMod;
import io.trellis.ovs.openflow.message.GroupModCommand;
import io.trellis.ovs.openflow.message.GroupType;
import io.trellis.ovs.openflow.message.OfConstants;
import io.trellis.ovs.openflow.message.RawBytes;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The groups and flows of Service load balancing in {@link PipelineStage#SERVICE_LB}, pure
 * functions of the {@link ServiceLoadBalancer}s of one Service.
 *
 * <p>How a connection to {@code clusterIp:port} goes:
 * <ol>
 *   <li>CONNTRACK runs {@code ct(nat)}: a packet of a known connection gets its NAT applied
 *       (requests go to the connection's endpoint, replies come back from the cluster IP), a first
 *       packet stays {@code +new} with the cluster IP as destination.</li>
 *   <li>SERVICE_LB: {@code ct_state=+new+trk} to the frontend goes to the frontend's select group.
 *       Each bucket is one endpoint: {@code ct(commit,zone=Z,table=<next>,nat(dst=EP:PORT))}, so
 *       the connection is committed with its DNAT and every later packet follows it in
 *       CONNTRACK; the packet itself continues, DNATed, in the next stage (L3_FORWARDING).
 *       OVS picks the bucket by {@code dp_hash} of the 5-tuple ({@link #DP_HASH_L4}, an OpenFlow
 *       1.5 group property), so new connections spread over the endpoints without a datapath
 *       flow per connection, and a changed bucket list never moves an established connection.</li>
 *   <li>A frontend without endpoints sends new connections to the controller (a packet-in whose
 *       userdata is {@link #rejectUserdata()}), which answers with a TCP RST or an ICMP port
 *       unreachable ({@code io.trellis.ovs.service.ServiceRejector}); any other port of a cluster IP
 *       is dropped instead of leaking to the node's routes.</li>
 * </ol>
 *
 * <p>ClientIP session affinity ({@link ServiceLoadBalancer#hasAffinity()}): the frontend's flow
 * loads the group id into {@link #AFFINITY_FRONTEND_REG} and resubmits to SERVICE_AFFINITY, then to
 * SERVICE_ENDPOINT. SERVICE_AFFINITY holds flows learned per (frontend, client IP) that load the
 * endpoint the client's previous connection went to ({@link #AFFINITY_ENDPOINT_IP_REG},
 * {@link #AFFINITY_ENDPOINT_PORT_REG}); they expire after the affinity timeout without a new
 * connection from that client ({@code idle_timeout}: only first packets of connections look them
 * up). SERVICE_ENDPOINT DNATs to that endpoint while it is still a backend; otherwise (no
 * affinity yet, or the endpoint left) the frontend's group picks one, and its bucket first
 * {@code learn}s the choice. Learned flows carry the cookie kind
 * {@link CookieScheme#KIND_SERVICE_AFFINITY}, so rewriting a Service keeps its affinities.
 * Flows carry the cookie of kind {@link CookieScheme#KIND_SERVICE} with the Service's id, so one
 * delete by cookie removes a Service's flows. Groups have no cookie: the proxy owns group ids.
 */
public final class ServiceFlows {

    /** The weight of every bucket: endpoints are equal. */
    static final int BUCKET_WEIGHT = 100;

    private static final int ETH_TYPE_IPV4 = 0x0800;

    /**
     * The group property {@code selection_method=dp_hash,selection_method_param=0}: OVS's
     * (Netronome) experimenter group property (struct ntr_group_prop_selection_method, OpenFlow
     * 1.5 only): type OFPGPT15_EXPERIMENTER 0xffff, length 40, experimenter NTR_VENDOR_ID
     * 0x0000154d, exp_type NTRT_SELECTION_METHOD 1, 4 pad bytes, the method name NUL-padded to 16
     * bytes, the 64-bit parameter, no fields. Parameter 0 selects the datapath's plain 5-tuple hash
     * (OVS_HASH_ALG_L4). OVS's default for select groups, the symmetric L3/L4 hash, leaves UDP
     * ports out in the userspace datapath, which would send every UDP flow from one client to one
     * endpoint.
     */
    static final RawBytes DP_HASH_L4 = RawBytes.fromHex("ffff0028" + "0000154d" + "00000001" + "00000000"
            + "64705f6861736800" + "0000000000000000" // "dp_hash", NUL-padded to 16
            + "0000000000000000");

    /**
     * Frontends taking only gateway packets ({@link ServiceFrontend.Scope#FROM_GATEWAY}) win over
     * an EXTERNAL frontend of the same address and port.
     */
    static final int PRIORITY_FROM_GATEWAY = PipelineFlows.PRIORITY_HIGH + 5;

    /**
     * Where the node sends connections to its node ports of Services with
     * {@code externalTrafficPolicy: Cluster}: the host DNATs {@code <node IP>:<nodePort>} to this
     * link-local address (port kept), routes it into the gateway and masquerades it to the gateway
     * IP, so replies from endpoints on any node come back through this node. A frontend
     * {@code NODE_PORT_CLUSTER_IP:<nodePort>} load-balances it like a cluster IP.
     */
    public static final Inet4Address NODE_PORT_CLUSTER_IP = Ipv4Subnet.parseAddress("169.254.0.253");
    /**
     * Like {@link #NODE_PORT_CLUSTER_IP} for {@code externalTrafficPolicy: Local}: no masquerade
     * (the endpoint sees the client's address), only this node's endpoints.
     */
    public static final Inet4Address NODE_PORT_LOCAL_IP = Ipv4Subnet.parseAddress("169.254.0.254");

    /** Register the frontend's group id is loaded into before the affinity lookup. */
    public static final int AFFINITY_FRONTEND_REG = 5;
    /** Register the learned affinity flow loads the endpoint's IPv4 address into. */
    public static final int AFFINITY_ENDPOINT_IP_REG = 6;
    /** Register (bits 0..15) the learned affinity flow loads the endpoint's port into. */
    public static final int AFFINITY_ENDPOINT_PORT_REG = 7;
    /** The longest affinity a learned flow can keep: its idle_timeout is 16 bits. */
    public static final int MAX_AFFINITY_TIMEOUT_SECONDS = 0xffff;
    /**
     * Bytes of a rejected packet sent to the controller: Ethernet, an IPv4 header with options
     * (up to 60) and the TCP header's ports, sequence and acknowledgement numbers fit.
     */
    public static final int REJECT_MAX_LEN = 128;
    /** Second byte of {@link #rejectUserdata()}: what the controller is asked to do. */
    private static final int USERDATA_REJECT = 0x01;
    /** Second byte of {@link #invalidResetUserdata()}. */
    private static final int USERDATA_INVALID_RESET = 0x02;
    /**
     * Priority of {@link #invalidResetMatch()} in CONNTRACK_STATE: above the drop of invalid
     * packets ({@code PipelineFlows.PRIORITY_HIGH}).
     */
    public static final int PRIORITY_INVALID_RESET = PipelineFlows.PRIORITY_HIGH + 5;
    /** Bytes of an invalid reset sent to the controller: Ethernet, IPv4 with options, the TCP ports. */
    public static final int INVALID_RESET_MAX_LEN = 96;
    private static final int TCP_RST = 0x04;

    private final Pipeline pipeline;
    private final CookieScheme cookies;
    private final int ctZone;

    /**
     * @param pipeline must enable {@link PipelineStage#SERVICE_LB} ({@link Pipeline#withServices()})
     * @param cookies  how flows are marked as the agent's
     * @param ctZone   the pod traffic's conntrack zone (the one CONNTRACK uses), 0..65535
     */
    public ServiceFlows(Pipeline pipeline, CookieScheme cookies, int ctZone) {
        this.pipeline = requireNonNull(pipeline, "pipeline");
        this.cookies = requireNonNull(cookies, "cookies");
        for (PipelineStage stage : List.of(SERVICE_LB, SERVICE_AFFINITY, SERVICE_ENDPOINT)) {
            if (!pipeline.has(stage)) {
                throw new IllegalArgumentException("pipeline " + pipeline + " lacks stage " + stage + "; use "
                        + "Pipeline.withServices()");
            }
        }
        if (ctZone < 0 || ctZone > 0xffff) {
            throw new IllegalArgumentException("conntrack zone: " + ctZone + " out of range 0..65535");
        }
        this.ctZone = ctZone;
    }

    /** Service flows for the pipeline, cookies and conntrack zone of {@code flows}. */
    public static ServiceFlows of(PipelineFlows flows) {
        return new ServiceFlows(flows.pipeline(), flows.cookies(), flows.ctZone());
    }

    public CookieScheme cookies() {
        return cookies;
    }

    /**
     * The userdata of the packet-ins of rejected connections (a frontend without endpoints): the
     * cookie owner (2 bytes), {@link CookieScheme#KIND_SERVICE}, {@code 0x01} "reject".
     */
    public byte[] rejectUserdata() {
        return new byte[] {(byte) (cookies.owner() >> 8), (byte) cookies.owner(), (byte) CookieScheme.KIND_SERVICE,
            (byte) USERDATA_REJECT};
    }

    /** Whether a packet-in's userdata is {@link #rejectUserdata()}. */
    public boolean isReject(byte[] userdata) {
        return Arrays.equals(userdata, rejectUserdata());
    }

    /**
     * A TCP reset conntrack calls invalid, in the pod zone (CONNTRACK_STATE, priority
     * {@link #PRIORITY_INVALID_RESET}, on every node with Services).
     *
     * <p>Why: OVS 3.1's userspace conntrack gives a Service connection reopened from the source
     * port of one it still tracks a new source port towards the endpoint (P, then P+1, P+2...:
     * lib/conntrack.c nat_get_unique_tuple finds the DNAT reply tuple taken by the old entry's
     * un-NAT twin, which outlives the old entry until the 20 s sweep). The endpoint then holds
     * TIME_WAIT for a port the client did not use, with sequence numbers and timestamps of another
     * socket; when the client later opens a connection from that port itself, the endpoint's
     * kernel answers its SYN with the old connection's ACK instead of a SYN-ACK, and the client
     * answers that with a reset (RFC 793 and 9293, SYN-SENT state). Without OVS that reset ends
     * the TIME_WAIT and the client's next SYN (Linux sends it milliseconds later) opens the
     * connection. Here conntrack calls the reset invalid (its sequence number is the old
     * connection's) and had taken the old ACK as the new connection's answer: the reset was
     * dropped and the entry, now "established", made every later SYN and SYN-ACK of that port go
     * wrong for minutes.
     *
     * <p>So such a reset continues through the pipeline (the connection's NAT is applied to it:
     * conntrack applies it to invalid packets of known connections, and its endpoint ends its
     * TIME_WAIT), and a copy goes to the controller with {@link #invalidResetUserdata()}, which
     * deletes the entry it belongs to ({@link #flushTcpByReply}): the client's next SYN then opens
     * a fresh one (or its retransmission a second later, if it was faster than the agent). A reset
     * is all a client does to a connection it is giving up, so at worst this deletes an entry of
     * the client's own connection that the reset ends anyway.
     */
    public Match invalidResetMatch() {
        return Match.builder().ethType(ETH_TYPE_IPV4).ctState("+inv+trk").ipProto(ServiceFrontend.TCP)
                .field(MatchField.masked(OxmFields.TCP_FLAGS, new byte[] {0, TCP_RST}, new byte[] {0, TCP_RST}))
                .build();
    }

    /** The actions of {@link #invalidResetMatch()} before continuing: a copy to the controller. */
    public List<Action> invalidResetActions() {
        return List.of(new Action.Controller(INVALID_RESET_MAX_LEN, 0, Action.Controller.REASON_ACTION,
                invalidResetUserdata(), false));
    }

    /**
     * The userdata of the packet-ins of {@link #invalidResetMatch()}: the cookie owner (2 bytes),
     * {@link CookieScheme#KIND_SERVICE}, {@code 0x02}.
     */
    public byte[] invalidResetUserdata() {
        return new byte[] {(byte) (cookies.owner() >> 8), (byte) cookies.owner(), (byte) CookieScheme.KIND_SERVICE,
            (byte) USERDATA_INVALID_RESET};
    }

    /** Whether a packet-in's userdata is {@link #invalidResetUserdata()}. */
    public boolean isInvalidReset(byte[] userdata) {
        return Arrays.equals(userdata, invalidResetUserdata());
    }

    /**
     * Deletes the pod zone's TCP entry whose reply direction is {@code src:srcPort -> dst:dstPort}
     * (after NAT: from the endpoint to the client's port as the endpoint sees it). By reply tuple
     * because the controller sees a packet after its NAT, and the original tuple of an invalid
     * packet is not in the packet-in's metadata.
     */
    public CtFlush flushTcpByReply(InetAddress src, int srcPort, InetAddress dst, int dstPort) {
        return new CtFlush(ServiceFrontend.TCP, ctZone, CtTuple.ANY, new CtTuple(Optional.of(src), Optional.of(dst),
                OptionalInt.of(srcPort), OptionalInt.of(dstPort)));
    }

    /**
     * The frontend's select group, created or replaced ({@code OFPGC_ADD_OR_MOD}, an OVS
     * extension): one bucket per backend, in backend order, selected by {@link #DP_HASH_L4}.
     * Without backends the group has no bucket (and no flow points at it). Needs OpenFlow 1.5:
     * encoded for 1.3 it would lose the selection method property. A bucket DNATs to its backend;
     * with session affinity it names the backend in the registers the learned flows load and
     * resubmits to SERVICE_ENDPOINT, whose flow for that backend learns the choice and DNATs (OVS
     * 3.1 runs no {@code learn} written in a group bucket, so the learn is in a flow).
     */
    public GroupMod group(ServiceLoadBalancer lb) {
        requireNonNull(lb, "lb");
        List<Bucket> buckets = new ArrayList<>(lb.backends().size());
        for (ServiceBackend backend : lb.backends()) {
            List<Action> actions = lb.hasAffinity()
                    ? List.of(Action.SetField.reg(AFFINITY_ENDPOINT_IP_REG, ipBits(backend.ip())),
                            Action.SetField.reg(AFFINITY_ENDPOINT_PORT_REG, backend.port()),
                            Action.Resubmit.toTable(pipeline.table(SERVICE_ENDPOINT)))
                    : List.of(dnat(backend));
            buckets.add(Bucket.select(buckets.size(), BUCKET_WEIGHT, actions));
        }
        return new GroupMod(0, GroupModCommand.ADD_OR_MOD, GroupType.SELECT, lb.groupId(), OfConstants.BUCKET_ALL,
                buckets, DP_HASH_L4);
    }

    /** {@code ct(commit,zone=Z,table=<after SERVICE_LB>,nat(dst=EP:PORT))}: the connection is pinned to the backend. */
    private Action.Ct dnat(ServiceBackend backend) {
        return new Action.Ct(true, false, null, ctZone, pipeline.table(pipeline.next(SERVICE_LB)), 0,
                Action.Nat.dst(backend.ip(), backend.port()), List.of());
    }

    /**
     * {@code learn(table=SERVICE_AFFINITY,idle_timeout=T,priority=200,cookie=C,eth_type=0x800,
     * NXM_NX_REG5[],NXM_OF_IP_SRC[],load:NXM_NX_REG6[]->NXM_NX_REG6[],
     * load:NXM_NX_REG7[0..15]->NXM_NX_REG7[0..15])}: the learned flow matches this frontend (its
     * group id, in reg5) and this client, and loads the endpoint the registers name. Every new
     * connection learns again, which restarts the timeout as kube-proxy does.
     */
    private Action.Learn learnAffinity(int serviceId, ServiceLoadBalancer lb) {
        Subfield endpointIp = Subfield.whole(OxmFields.REG6);
        Subfield endpointPort = Subfield.range(OxmFields.REG7, 0, 15);
        List<LearnSpec> specs = List.of(
                new LearnSpec.MatchImmediate(new byte[] {0x08, 0x00}, Subfield.whole(OxmFields.NXM_OF_ETH_TYPE)),
                LearnSpec.MatchFromField.same(Subfield.whole(OxmFields.REG5)),
                LearnSpec.MatchFromField.same(Subfield.whole(OxmFields.NXM_OF_IP_SRC)),
                new LearnSpec.LoadFromField(endpointIp, endpointIp),
                new LearnSpec.LoadFromField(endpointPort, endpointPort));
        int idle = Math.min(lb.affinityTimeoutSeconds(), MAX_AFFINITY_TIMEOUT_SECONDS);
        return new Action.Learn(pipeline.table(SERVICE_AFFINITY), idle, 0, PipelineFlows.PRIORITY_HIGH,
                cookies.serviceAffinity(serviceId), 0, 0, 0, specs);
    }

    /**
     * Deletes the conntrack entries of connections {@code frontend} sent to {@code backend}
     * (original direction to the frontend, reply direction from the backend), in the pod traffic's
     * zone: their next packet is load-balanced again. OVS 3.1+ (NXT_CT_FLUSH); not part of a bundle.
     */
    public CtFlush flushConnections(ServiceFrontend frontend, ServiceBackend backend) {
        return new CtFlush(frontend.protocol(), ctZone, CtTuple.to(frontend.ip(), frontend.port()),
                CtTuple.from(backend.ip(), backend.port()));
    }

    /** Deletes the conntrack entries of every connection to {@code frontend}, whatever its backend. */
    public CtFlush flushConnections(ServiceFrontend frontend) {
        return new CtFlush(frontend.protocol(), ctZone, CtTuple.to(frontend.ip(), frontend.port()), CtTuple.ANY);
    }

    /** Deletes one frontend's group; OVS ignores a delete of a group that does not exist. */
    public GroupMod deleteGroup(int groupId) {
        return GroupMod.delete(groupId);
    }

    /**
     * The flows of the Service with id {@code serviceId}: one per frontend (to its group, to the
     * affinity lookup, or to the controller for a reject without backends), the SERVICE_ENDPOINT
     * flows of frontends with affinity, and one drop per cluster IP for its other ports and protocols
     * (not for external addresses: see {@link ServiceFrontend.Scope}).
     */
    public List<FlowMod> serviceFlows(int serviceId, List<ServiceLoadBalancer> lbs) {
        requireNonNull(lbs, "lbs");
        long cookie = cookies.service(SERVICE_LB, serviceId);
        List<FlowMod> f = new ArrayList<>();
        Set<Inet4Address> clusterIps = new LinkedHashSet<>();
        for (ServiceLoadBalancer lb : lbs) {
            ServiceFrontend fe = lb.frontend();
            if (fe.scope() == ServiceFrontend.Scope.CLUSTER_IP) {
                clusterIps.add(fe.ip());
            }
            Match.Builder match = Match.builder().ethType(ETH_TYPE_IPV4).ctState("+new+trk").ipProto(fe.protocol())
                    .ipv4Dst(fe.ip(), 32);
            if (fe.scope() == ServiceFrontend.Scope.FROM_GATEWAY) {
                match = PacketSource.GATEWAY.matchOn(match);
            }
            match = fe.protocol() == ServiceFrontend.TCP ? match.tcpDst(fe.port()) : match.udpDst(fe.port());
            List<Action> actions;
            if (lb.backends().isEmpty()) {
                actions = List.of(new Action.Controller(REJECT_MAX_LEN, 0, Action.Controller.REASON_ACTION,
                        rejectUserdata(), false));
            } else if (lb.hasAffinity()) {
                actions = List.of(Action.SetField.reg(AFFINITY_FRONTEND_REG, lb.groupId()),
                        Action.Resubmit.toTable(pipeline.table(SERVICE_AFFINITY)),
                        Action.Resubmit.toTable(pipeline.table(SERVICE_ENDPOINT)));
                f.addAll(endpointFlows(serviceId, cookie, lb));
            } else {
                actions = List.of(new Action.Group(lb.groupId()));
            }
            int priority = fe.scope() == ServiceFrontend.Scope.FROM_GATEWAY ? PRIORITY_FROM_GATEWAY
                    : PipelineFlows.PRIORITY_HIGH;
            f.add(pipeline.flow(SERVICE_LB, priority, cookie, match.build(), actions, null));
        }
        for (Inet4Address ip : clusterIps) {
            f.add(pipeline.flow(SERVICE_LB, PipelineFlows.PRIORITY_NORMAL, cookie,
                    Match.builder().ethType(ETH_TYPE_IPV4).ipv4Dst(ip, 32).build(), Action.drop(), null));
        }
        return f;
    }

    /**
     * SERVICE_ENDPOINT for a frontend with affinity: the endpoint the registers name (from the
     * learned flow, or from the group's bucket), if it is still a backend: learn, DNAT; else the group.
     */
    private List<FlowMod> endpointFlows(int serviceId, long cookie, ServiceLoadBalancer lb) {
        List<FlowMod> f = new ArrayList<>();
        for (ServiceBackend backend : lb.backends()) {
            Match match = Match.builder().ethType(ETH_TYPE_IPV4).ipProto(lb.frontend().protocol())
                    .reg(AFFINITY_FRONTEND_REG, lb.groupId()).reg(AFFINITY_ENDPOINT_IP_REG, ipBits(backend.ip()))
                    .reg(AFFINITY_ENDPOINT_PORT_REG, backend.port()).build();
            f.add(pipeline.flow(SERVICE_ENDPOINT, PipelineFlows.PRIORITY_HIGH, cookie, match,
                    List.of(learnAffinity(serviceId, lb), dnat(backend)), null));
        }
        f.add(pipeline.flow(SERVICE_ENDPOINT, PipelineFlows.PRIORITY_NORMAL, cookie,
                Match.builder().reg(AFFINITY_FRONTEND_REG, lb.groupId()).build(),
                List.of(new Action.Group(lb.groupId())), null));
        return f;
    }

    private static long ipBits(Inet4Address ip) {
        return Integer.toUnsignedLong(ByteBuffer.wrap(ip.getAddress()).getInt());
    }

    /** Deletes the learned affinity flows of the Service {@code serviceId}: its clients start over. */
    public FlowMod deleteServiceAffinities(int serviceId) {
        return deleteByCookie(cookies.serviceAffinityValue(serviceId), cookies.podMask());
    }

    /** Deletes every learned affinity flow. */
    public FlowMod deleteAllServiceAffinities() {
        return deleteByCookie(cookies.serviceAffinitiesValue(), cookies.kindMask());
    }

    /** Deletes every flow of the Service {@code serviceId}. */
    public FlowMod deleteServiceFlows(int serviceId) {
        return deleteByCookie(cookies.serviceValue(serviceId), cookies.podMask());
    }

    /** Deletes every Service flow. */
    public FlowMod deleteAllServiceFlows() {
        return deleteByCookie(cookies.servicesValue(), cookies.kindMask());
    }

    private static FlowMod deleteByCookie(long cookie, long mask) {
        return FlowMod.builder(FlowModCommand.DELETE).tableId(OfConstants.TABLE_ALL).cookie(cookie).cookieMask(mask)
                .match(Match.ANY).build();
    }
}
