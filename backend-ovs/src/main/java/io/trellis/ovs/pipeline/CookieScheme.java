package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How the agent marks the flows it owns. A cookie is 64 bits:
 *
 * <pre>
 *  63        48 47    40 39    32 31                 0
 * +------------+--------+--------+--------------------+
 * |   owner    |  kind  | stage  |       object       |
 * +------------+--------+--------+--------------------+
 * </pre>
 *
 * <ul>
 *   <li>owner: fixed per agent (default {@value #DEFAULT_OWNER_HEX}); deleting by owner with
 *       {@link #ownerMask()} removes every flow of the agent and nothing else (flows added by hand or
 *       by another controller keep their cookies);</li>
 *   <li>kind: {@link #KIND_NODE} for flows that exist once per node, {@link #KIND_POD} for a pod's,
 *       {@link #KIND_TUNNEL} for the node's tunnel-port flows, {@link #KIND_REMOTE_NODE} for the
 *       flows towards one remote node, {@link #KIND_SERVICE} for one Service's, {@link #KIND_SERVICE_AFFINITY} for
 *       the session-affinity flows learned for one Service;</li>
 *   <li>stage: the {@link PipelineStage#code()} of the stage that wrote the flow (for reading dumps);</li>
 *   <li>object: 0 for node and tunnel flows, the pod's OpenFlow port for pod flows, the remote
 *       node's IPv4 address for remote-node flows, the Service's id (assigned by the proxy) for
 *       Service flows; {@link #podMask()} ignores the stage so one delete removes all of a pod's
 *       (or a remote node's, or a Service's) flows.</li>
 * </ul>
 *
 * @param owner 16-bit owner prefix, 1..0xffff (0 is refused: it is the cookie of flows nobody marked)
 */
public record CookieScheme(int owner) {

    static final String DEFAULT_OWNER_HEX = "0x7472";
    /** "tr" in ASCII. */
    public static final int DEFAULT_OWNER = 0x7472;
    public static final CookieScheme DEFAULT = new CookieScheme(DEFAULT_OWNER);

    public static final int KIND_NODE = 0x01;
    public static final int KIND_POD = 0x02;
    /** The tunnel port's flows (classifier, SpoofGuard exemption, output); exist while the overlay is on. */
    public static final int KIND_TUNNEL = 0x03;
    /** Flows towards one remote node, whose IPv4 address is the object. */
    public static final int KIND_REMOTE_NODE = 0x04;
    /** The flows of one Service (its frontends in SERVICE_LB), whose proxy-assigned id is the object. */
    public static final int KIND_SERVICE = 0x05;
    /**
     * The flows {@code learn} writes for one Service's session affinity (one per frontend and
     * client IP), whose proxy-assigned id is the object. A kind of their own, so rewriting a
     * Service's flows (an endpoint change) keeps its clients' affinity.
     */
    public static final int KIND_SERVICE_AFFINITY = 0x06;

    /**
     * NetworkPolicy rule flows ({@link PolicyFlows}): the object is the rule id for the flows that
     * count a rule (its conj_id or single-clause flows, its metering flows), 0 for conjunction
     * clause flows shared by rules.
     */
    public static final int KIND_POLICY = 0x07;
    /** NetworkPolicy default-deny flows of isolated pods, whose IPv4 address is the object. */
    public static final int KIND_POLICY_ISOLATION = 0x08;

    private static final int OWNER_SHIFT = 48;
    private static final int KIND_SHIFT = 40;
    private static final int STAGE_SHIFT = 32;
    private static final long OBJECT_MASK = 0xffff_ffffL;

    public CookieScheme {
        if (owner < 1 || owner > 0xffff) {
            throw new IllegalArgumentException("cookie owner: " + owner + " out of range 1..0xffff");
        }
    }

    /** The cookie of a node-wide flow written by {@code stage}. */
    public long node(PipelineStage stage) {
        return compose(KIND_NODE, requireNonNull(stage, "stage").code(), 0);
    }

    /** The cookie of a flow of the pod on OpenFlow port {@code ofport}, written by {@code stage}. */
    public long pod(PipelineStage stage, int ofport) {
        return compose(KIND_POD, requireNonNull(stage, "stage").code(), checkPort(ofport));
    }

    /** The cookie of a tunnel-port flow written by {@code stage}. */
    public long tunnel(PipelineStage stage) {
        return compose(KIND_TUNNEL, requireNonNull(stage, "stage").code(), 0);
    }

    /** The cookie of a flow towards the remote node at {@code nodeIp}, written by {@code stage}. */
    public long remoteNode(PipelineStage stage, java.net.Inet4Address nodeIp) {
        return compose(KIND_REMOTE_NODE, requireNonNull(stage, "stage").code(), ipBits(nodeIp));
    }

    /** The cookie of a flow of the Service with proxy-assigned id {@code serviceId}, written by {@code stage}. */
    public long service(PipelineStage stage, int serviceId) {
        return compose(KIND_SERVICE, requireNonNull(stage, "stage").code(), checkServiceId(serviceId));
    }

    /** Cookie value selecting every flow of the Service {@code serviceId}, with {@link #podMask()}. */
    public long serviceValue(int serviceId) {
        return compose(KIND_SERVICE, 0, checkServiceId(serviceId));
    }

    /** The cookie of the affinity flows learned for the Service {@code serviceId}. */
    public long serviceAffinity(int serviceId) {
        return compose(KIND_SERVICE_AFFINITY, PipelineStage.SERVICE_AFFINITY.code(), checkServiceId(serviceId));
    }

    /** Cookie value selecting the learned affinity flows of the Service {@code serviceId}, with {@link #podMask()}. */
    public long serviceAffinityValue(int serviceId) {
        return compose(KIND_SERVICE_AFFINITY, 0, checkServiceId(serviceId));
    }

    /** Cookie value selecting every learned affinity flow, with {@link #kindMask()}. */
    public long serviceAffinitiesValue() {
        return compose(KIND_SERVICE_AFFINITY, 0, 0);
    }

    /** Cookie value selecting every Service flow, with {@link #kindMask()}. */
    public long servicesValue() {
        return compose(KIND_SERVICE, 0, 0);
    }

    /** The cookie of a NetworkPolicy flow written by {@code stage} for rule {@code ruleId} (0: shared by rules). */
    public long policy(PipelineStage stage, long ruleId) {
        if (ruleId < 0 || ruleId > OBJECT_MASK) {
            throw new IllegalArgumentException("policy rule id: " + ruleId + " out of range 0..0xffffffff");
        }
        return compose(KIND_POLICY, requireNonNull(stage, "stage").code(), ruleId);
    }

    /** The cookie of the default-deny flow of the isolated pod {@code podIp}, written by {@code stage}. */
    public long policyIsolation(PipelineStage stage, java.net.Inet4Address podIp) {
        return compose(KIND_POLICY_ISOLATION, requireNonNull(stage, "stage").code(), ipBits(podIp));
    }

    /** The object bits of a cookie (rule id, pod address...). */
    public static long objectOf(long cookie) {
        return cookie & OBJECT_MASK;
    }

    /** The stage code bits of a cookie. */
    public static int stageCodeOf(long cookie) {
        return (int) (cookie >>> STAGE_SHIFT) & 0xff;
    }

    /** Cookie value selecting every tunnel-port flow, with {@link #kindMask()}. */
    public long tunnelValue() {
        return compose(KIND_TUNNEL, 0, 0);
    }

    /** Cookie value selecting every remote-node flow, with {@link #kindMask()}. */
    public long remoteNodesValue() {
        return compose(KIND_REMOTE_NODE, 0, 0);
    }

    /** Cookie value selecting every flow of {@code kind} (one of the KIND_ constants), with {@link #kindMask()}. */
    public long kindValue(int kind) {
        if (kind < 1 || kind > 0xff) {
            throw new IllegalArgumentException("cookie kind: " + kind + " out of range 1..255");
        }
        return compose(kind, 0, 0);
    }

    /**
     * A cookie value and mask selecting flows as a non-strict flow delete or a flow dump does
     * (OpenFlow 1.5.1 section 7.3.4.2: the flow's cookie AND mask equals value AND mask).
     */
    public record Selection(long value, long mask) {
    }

    /**
     * Selections that together pick every flow this agent owns whose kind is not in {@code kept},
     * and no other flow: one cookie mask cannot express "every kind but 6", so the kinds allowed
     * are split into aligned blocks (a prefix of the 8 kind bits under the mask), at most 8 per
     * kept kind. Without kept kinds: the single owner selection.
     *
     * @throws IllegalArgumentException naming a kept kind outside 0..255
     */
    public List<Selection> ownedExceptKinds(Set<Integer> kept) {
        requireNonNull(kept, "kept");
        for (int kind : kept) {
            if (kind < 0 || kind > 0xff) {
                throw new IllegalArgumentException("kept cookie kind: " + kind + " out of range 0..255");
            }
        }
        List<Selection> selections = new ArrayList<>();
        coverKinds(0, 0, kept, selections);
        return List.copyOf(selections);
    }

    /** Adds the block of kinds starting at {@code first} whose top {@code prefixBits} bits are fixed. */
    private void coverKinds(int first, int prefixBits, Set<Integer> kept, List<Selection> out) {
        int size = 1 << (8 - prefixBits);
        boolean keepsAny = kept.stream().anyMatch(k -> k >= first && k < first + size);
        if (!keepsAny) {
            long kindBitsMask = (0xffL << (8 - prefixBits)) & 0xffL;
            out.add(new Selection(ownerValue() | ((long) first << KIND_SHIFT), ownerMask() | (kindBitsMask << KIND_SHIFT)));
        } else if (prefixBits < 8) {
            coverKinds(first, prefixBits + 1, kept, out);
            coverKinds(first + size / 2, prefixBits + 1, kept, out);
        }
    }

    /** Owner and kind bits. */
    public long kindMask() {
        return 0xffff_ff00_0000_0000L;
    }

    /** Cookie value selecting every flow towards the node at {@code nodeIp}, with {@link #podMask()}. */
    public long remoteNodeValue(java.net.Inet4Address nodeIp) {
        return compose(KIND_REMOTE_NODE, 0, ipBits(nodeIp));
    }

    /** Cookie value selecting every flow this agent owns, with {@link #ownerMask()}. */
    public long ownerValue() {
        return (long) owner << OWNER_SHIFT;
    }

    public long ownerMask() {
        return 0xffffL << OWNER_SHIFT;
    }

    /** Cookie value selecting every flow of the pod on {@code ofport}, with {@link #podMask()}. */
    public long podValue(int ofport) {
        return compose(KIND_POD, 0, checkPort(ofport));
    }

    /** Owner, kind and object bits; the stage bits are ignored. */
    public long podMask() {
        return ~(0xffL << STAGE_SHIFT);
    }

    public boolean owns(long cookie) {
        return (cookie & ownerMask()) == ownerValue();
    }

    private long compose(int kind, int stageCode, long object) {
        return ((long) owner << OWNER_SHIFT) | ((long) kind << KIND_SHIFT) | ((long) stageCode << STAGE_SHIFT)
                | (object & OBJECT_MASK);
    }

    private static long ipBits(java.net.Inet4Address ip) {
        byte[] b = requireNonNull(ip, "nodeIp").getAddress();
        return (b[0] & 0xffL) << 24 | (b[1] & 0xffL) << 16 | (b[2] & 0xffL) << 8 | (b[3] & 0xffL);
    }

    private static int checkServiceId(int serviceId) {
        if (serviceId < 1) {
            throw new IllegalArgumentException("service id: " + serviceId + " out of range 1..2147483647");
        }
        return serviceId;
    }

    private static int checkPort(int ofport) {
        if (ofport < 1 || ofport > 0xfeff) {
            throw new IllegalArgumentException("ofport: " + ofport + " out of range 1..65279");
        }
        return ofport;
    }
}
