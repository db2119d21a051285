package io.trellis.ovs.pipeline;

/**
 * The stages a packet can pass through, in pipeline order. A {@link Pipeline} enables a subset
 * and numbers the enabled ones 0, 1, 2... in this order, so table IDs are never written in flow
 * code and a feature stage added later (service load balancing, policy, tunnels) shifts the
 * tables after it without touching their flows.
 *
 * <p>Each stage has a fixed {@link #code()} that goes into the flows' cookies ({@link CookieScheme}),
 * so a flow read back from the switch says which stage wrote it even if table numbers moved.
 */
public enum PipelineStage {
    /** Tells where a packet came from (gateway or a local pod port), recorded in a register. */
    CLASSIFIER(0x01),
    /** ARP and IPv4 SpoofGuard: a pod may only send with its own MAC and IP; the gateway is exempt. */
    SPOOF_GUARD(0x02),
    /** Delivers each ARP packet to the one port that owns the target IP; no broadcast, no flooding. */
    ARP_FORWARDING(0x03),
    /** Sends IPv4 through connection tracking in the agent's zone. */
    CONNTRACK(0x04),
    /** Acts on the connection state: drops packets conntrack calls invalid. */
    CONNTRACK_STATE(0x05),
    /**
     * Service load balancing (only in {@link Pipeline#withServices()}): a new connection to a
     * Service frontend (cluster IP, protocol, port) goes to the frontend's select group, whose
     * bucket DNATs it to one endpoint through conntrack.
     */
    SERVICE_LB(0x09),
    /**
     * NetworkPolicy egress rules (only in {@link Pipeline#withPolicy()}): connection-opening packets
     * from local pods, after the Service DNAT (a policy sees the endpoint, not the cluster IP).
     * Flows: {@link PolicyFlows}.
     */
    EGRESS_POLICY(0x0c),
    /** Picks the next hop from the destination IP and rewrites the Ethernet addresses for it. */
    L3_FORWARDING(0x06),
    /**
     * NetworkPolicy ingress rules (only in {@link Pipeline#withPolicy()}): connection-opening packets
     * to local pods, after L3 forwarding and before the commit. Flows: {@link PolicyFlows}.
     */
    INGRESS_POLICY(0x0d),
    /** Commits new connections (after every decision that may drop them). */
    CONNTRACK_COMMIT(0x07),
    /**
     * Per-rule packet and byte counters of egress rules (only in {@link Pipeline#withPolicy()}):
     * packets of committed connections whose ct_label holds the egress rule's id.
     */
    EGRESS_METRIC(0x0e),
    /** Like {@link #EGRESS_METRIC} for ingress rules (a packet may count for both, hence two tables). */
    INGRESS_METRIC(0x0f),
    /** Outputs to the port that owns the destination MAC. */
    L2_OUTPUT(0x08),
    /**
     * Session affinity lookup (only in {@link Pipeline#withServices()}), reached by resubmit from
     * SERVICE_LB, never by goto: holds the flows the {@code learn} action writes per (Service
     * frontend, client IP), which load the endpoint the client's last connection went to into
     * registers. Placed after L2_OUTPUT so it does not renumber the main path's tables.
     */
    SERVICE_AFFINITY(0x0a),
    /**
     * Endpoint selection of frontends with session affinity (only in {@link Pipeline#withServices()}),
     * reached by resubmit from SERVICE_LB: DNAT to the endpoint SERVICE_AFFINITY found, else the
     * frontend's select group (which learns the choice).
     */
    SERVICE_ENDPOINT(0x0b);

    private final int code;

    PipelineStage(int code) {
        this.code = code;
    }

    /** The stage's 8-bit code in flow cookies; stable across releases, unlike table IDs. */
    public int code() {
        return code;
    }
}
