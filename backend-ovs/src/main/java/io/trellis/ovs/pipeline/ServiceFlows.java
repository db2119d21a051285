package io.trellis.ovs.pipeline;

import static io.trellis.ovs.pipeline.PipelineStage.SERVICE_LB;
import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.message.Bucket;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import io.trellis.ovs.openflow.message.GroupMod;
import io.trellis.ovs.openflow.message.GroupModCommand;
import io.trellis.ovs.openflow.message.GroupType;
import io.trellis.ovs.openflow.message.OfConstants;
import io.trellis.ovs.openflow.message.RawBytes;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
 *   <li>A frontend without endpoints drops new connections (reject is not done yet); any other
 *       port of a cluster IP is dropped too instead of leaking to the node's routes.</li>
 * </ol>
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
        if (!pipeline.has(SERVICE_LB)) {
            throw new IllegalArgumentException("pipeline " + pipeline + " lacks stage SERVICE_LB; use "
                    + "Pipeline.withServices()");
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
     * The frontend's select group, created or replaced ({@code OFPGC_ADD_OR_MOD}, an OVS
     * extension): one bucket per backend, in backend order, selected by {@link #DP_HASH_L4}.
     * Without backends the group has no bucket (and no flow points at it). Needs OpenFlow 1.5:
     * encoded for 1.3 it would lose the selection method property.
     */
    public GroupMod group(ServiceLoadBalancer lb) {
        requireNonNull(lb, "lb");
        int next = pipeline.table(pipeline.next(SERVICE_LB));
        List<Bucket> buckets = new ArrayList<>(lb.backends().size());
        for (ServiceBackend backend : lb.backends()) {
            Action.Ct dnat = new Action.Ct(true, false, null, ctZone, next, 0,
                    Action.Nat.dst(backend.ip(), backend.port()), List.of());
            buckets.add(Bucket.select(buckets.size(), BUCKET_WEIGHT, List.of(dnat)));
        }
        return new GroupMod(0, GroupModCommand.ADD_OR_MOD, GroupType.SELECT, lb.groupId(), OfConstants.BUCKET_ALL,
                buckets, DP_HASH_L4);
    }

    /** Deletes one frontend's group; OVS ignores a delete of a group that does not exist. */
    public GroupMod deleteGroup(int groupId) {
        return GroupMod.delete(groupId);
    }

    /**
     * The flows of the Service with id {@code serviceId}: one per frontend (to its group, or drop
     * without backends), and one drop per cluster IP for its other ports and protocols.
     */
    public List<FlowMod> serviceFlows(int serviceId, List<ServiceLoadBalancer> lbs) {
        requireNonNull(lbs, "lbs");
        long cookie = cookies.service(SERVICE_LB, serviceId);
        List<FlowMod> f = new ArrayList<>();
        Set<Inet4Address> clusterIps = new LinkedHashSet<>();
        for (ServiceLoadBalancer lb : lbs) {
            ServiceFrontend fe = lb.frontend();
            clusterIps.add(fe.ip());
            Match.Builder match = Match.builder().ethType(ETH_TYPE_IPV4).ctState("+new+trk").ipProto(fe.protocol())
                    .ipv4Dst(fe.ip(), 32);
            match = fe.protocol() == ServiceFrontend.TCP ? match.tcpDst(fe.port()) : match.udpDst(fe.port());
            List<Action> actions = lb.backends().isEmpty() ? Action.drop() : List.of(new Action.Group(lb.groupId()));
            f.add(pipeline.flow(SERVICE_LB, PipelineFlows.PRIORITY_HIGH, cookie, match.build(), actions, null));
        }
        for (Inet4Address ip : clusterIps) {
            f.add(pipeline.flow(SERVICE_LB, PipelineFlows.PRIORITY_NORMAL, cookie,
                    Match.builder().ethType(ETH_TYPE_IPV4).ipv4Dst(ip, 32).build(), Action.drop(), null));
        }
        return f;
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
