package io.trellis.ovs.pipeline;

import static io.trellis.ovs.pipeline.PipelineStage.CONNTRACK_COMMIT;
import static io.trellis.ovs.pipeline.PipelineStage.EGRESS_METRIC;
import static io.trellis.ovs.pipeline.PipelineStage.EGRESS_POLICY;
import static io.trellis.ovs.pipeline.PipelineStage.INGRESS_METRIC;
import static io.trellis.ovs.pipeline.PipelineStage.INGRESS_POLICY;
import static io.trellis.ovs.pipeline.PipelineStage.SERVICE_LB;
import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.OxmFields;
import io.trellis.ovs.openflow.match.Subfield;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import io.trellis.ovs.openflow.message.OfConstants;
import io.trellis.ovs.openflow.text.FlowText;
import io.trellis.spi.policy.Direction;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The flows of NetworkPolicy enforcement ({@link Pipeline#withPolicy()}), pure functions of the
 * rules ({@link PolicyRuleSpec}) and isolated pods ({@link PolicyIsolation}).
 *
 * <p>Stages: EGRESS_POLICY (after SERVICE_LB: destinations are endpoints, not cluster IPs),
 * INGRESS_POLICY (after L3_FORWARDING, before CONNTRACK_COMMIT), then after the commit
 * EGRESS_METRIC and INGRESS_METRIC (per-rule packet/byte counters). In each policy stage:
 * <ul>
 *   <li>priority {@value #PRIORITY_PASS}: packets that are not evaluated: {@code +est} of a
 *       connection committed past the policy stages ({@link #LABEL_EVALUATED} in ct_label),
 *       {@code +rel}, {@code +rpl} (replies of allowed connections); in INGRESS also the node's own
 *       traffic (gateway port with the gateway IP as source: kubelet probes) and hairpin packets
 *       (the hairpin zone: a pod reaching itself through a Service); in EGRESS a pod's packets to
 *       itself (hairpin after the DNAT).</li>
 *   <li>priority {@value #PRIORITY_SINGLE}: rules with one dimension (targets only): plain flows.</li>
 *   <li>priority {@value #PRIORITY_CONJUNCTION}: conjunctive clauses, one flow per distinct match
 *       carrying every rule's {@code conjunction(id,k/n)} (OVS requires identical (match, priority)
 *       flows to be one), and per rule the {@code conj_id=id} flow. Allowing flows load the rule id
 *       into {@link #INGRESS_RULE_REG} / {@link #EGRESS_RULE_REG} and go on.</li>
 *   <li>priority {@value #PRIORITY_ISOLATION}: per isolated pod and direction, a drop (its
 *       counters are the default-deny drops).</li>
 *   <li>priority 0: continue (pods that are not isolated).</li>
 * </ul>
 * CONNTRACK_COMMIT (priority {@value #PRIORITY_COMMIT}, above the plain commit) commits every
 * tracked original-direction packet whose connection lacks {@link #LABEL_EVALUATED} and writes the
 * two rule ids and the flag into ct_label. Not {@code +new} only, and {@code +est} passes only with
 * the flag: a Service connection is committed with its DNAT in SERVICE_LB, before the policy stages,
 * so an entry may exist for a connection the policy dropped. Conntrack calls its later packets
 * {@code +new} until a reply was seen (checked with OVS 3.1's userspace conntrack for a TCP SYN
 * retransmission and a second UDP datagram; Linux conntrack likewise), and a dropped connection gets
 * no reply, so the flag is defence in depth; it also has connections committed before the policy
 * stages existed (an agent upgrade) evaluated once instead of passing unchecked.
 *
 * <p>ct_label layout: bits 0..31 ingress rule id, 32..63 egress rule id (0: no rule, the pod was
 * not isolated), bit 64 evaluated.
 */
public final class PolicyFlows {

    /** Register holding the id of the ingress rule that allowed the packet (0: none needed); moved from REG3. */
    public static final int INGRESS_RULE_REG = 3;
    /** Register holding the id of the egress rule that allowed the packet; moved from REG4. */
    public static final int EGRESS_RULE_REG = 4;
    /** ct_label bit set when a connection was committed after the policy stages. */
    public static final BigInteger LABEL_EVALUATED = BigInteger.ONE.shiftLeft(64);
    static final BigInteger LABEL_ID_MASK = BigInteger.valueOf(0xffff_ffffL);

    static final int PRIORITY_PASS = 250;
    /** Above everything else of the policy stages: the generation flow is examined by every lookup. */
    static final int PRIORITY_GENERATION = 260;
    /** How many distinct generation bits ({@link #generationFlows}) rotate. */
    public static final int GENERATIONS = 32;
    static final int PRIORITY_SINGLE = 201;
    static final int PRIORITY_CONJUNCTION = 200;
    static final int PRIORITY_ISOLATION = 100;
    /** Above the plain +new commit (200), below the hairpin zone's pass (210). */
    static final int PRIORITY_COMMIT = 205;

    private static final int ETH_TYPE_IPV4 = 0x0800;

    private final Pipeline pipeline;
    private final CookieScheme cookies;
    private final int ctZone;
    private final int hairpinZone;

    public PolicyFlows(Pipeline pipeline, CookieScheme cookies, int ctZone, int hairpinZone) {
        this.pipeline = requireNonNull(pipeline, "pipeline");
        this.cookies = requireNonNull(cookies, "cookies");
        for (PipelineStage stage : List.of(EGRESS_POLICY, INGRESS_POLICY, EGRESS_METRIC, INGRESS_METRIC)) {
            if (!pipeline.has(stage)) {
                throw new IllegalArgumentException("pipeline " + pipeline + " lacks stage " + stage
                        + "; use Pipeline.withPolicy()");
            }
        }
        this.ctZone = ctZone;
        this.hairpinZone = hairpinZone;
    }

    /** Policy flows for the pipeline, cookies and zones of {@code flows}. */
    public static PolicyFlows of(PipelineFlows flows) {
        return new PolicyFlows(flows.pipeline(), flows.cookies(), flows.ctZone(), flows.hairpinCtZone());
    }

    public CookieScheme cookies() {
        return cookies;
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    /** The policy stage of a direction. */
    public static PipelineStage policyStage(Direction direction) {
        return direction == Direction.INGRESS ? INGRESS_POLICY : EGRESS_POLICY;
    }

    /** The metering stage of a direction. */
    public static PipelineStage meteringStage(Direction direction) {
        return direction == Direction.INGRESS ? INGRESS_METRIC : EGRESS_METRIC;
    }

    // ------------------------------------------------------------------ node flows

    /** The node-wide flows (part of {@link PipelineFlows#nodeFlows}): passes, the labelled commit, misses. */
    public List<FlowMod> nodeFlows(NodeNetwork node) {
        requireNonNull(node, "node");
        List<FlowMod> f = new ArrayList<>();
        for (PipelineStage stage : List.of(EGRESS_POLICY, INGRESS_POLICY)) {
            f.add(node(stage, PRIORITY_PASS, ipv4().ctState("+est+trk").ctLabel(LABEL_EVALUATED, LABEL_EVALUATED)
                    .build(), stage));
            f.add(node(stage, PRIORITY_PASS, ipv4().ctState("+rel+trk").build(), stage));
            f.add(node(stage, PRIORITY_PASS, ipv4().ctState("+rpl+trk").build(), stage));
            if (stage == INGRESS_POLICY) {
                // The node itself (kubelet probes, host-network clients) reaches every pod.
                f.add(node(stage, PRIORITY_PASS, PacketSource.GATEWAY.matchOn(ipv4())
                        .ipv4Src(node.gatewayIp(), 32).build(), stage));
                if (pipeline.has(SERVICE_LB)) {
                    // Hairpin: after the SNAT to HAIRPIN_SOURCE the packet is tracked in the hairpin
                    // zone; it is a pod reaching itself.
                    f.add(node(stage, PRIORITY_PASS, ipv4().ctZone(hairpinZone).build(), stage));
                }
            }
            f.add(node(stage, PipelineFlows.PRIORITY_MISS, Match.ANY, stage));
        }
        Action.Ct commit = Action.Ct.commit(ctZone).withExec(List.of(
                new Action.Move(Subfield.whole(OxmFields.REG3),
                        Subfield.range(OxmFields.CT_LABEL, 0, 31)),
                new Action.Move(Subfield.whole(OxmFields.REG4),
                        Subfield.range(OxmFields.CT_LABEL, 32, 63)),
                Action.SetField.ctLabel(LABEL_EVALUATED, LABEL_EVALUATED)));
        f.add(pipeline.flow(CONNTRACK_COMMIT, PRIORITY_COMMIT, cookies.node(CONNTRACK_COMMIT),
                ipv4().ctState("+trk-rpl-rel").ctLabel(BigInteger.ZERO, LABEL_EVALUATED).build(), List.of(commit),
                pipeline.next(CONNTRACK_COMMIT)));
        for (PipelineStage stage : List.of(EGRESS_METRIC, INGRESS_METRIC)) {
            f.add(node(stage, PipelineFlows.PRIORITY_MISS, Match.ANY, stage));
        }
        return f;
    }

    private FlowMod node(PipelineStage stage, int priority, Match match, PipelineStage continueAfter) {
        return pipeline.flow(stage, priority, cookies.node(stage), match, List.of(), pipeline.next(continueAfter));
    }

    // ------------------------------------------------------------------ generation flows

    /**
     * The generation flows of the policy stages: at the top priority of each, a flow that never
     * matches (untracked packets never reach these stages; the ct_mark bit is set by nobody, and a
     * packet carrying both would be dropped) but that every classifier lookup there must examine,
     * so every megaflow that went through a policy stage has ct_mark bit {@code generation % }{@value
     * #GENERATIONS} un-wildcarded.
     *
     * <p>Why: when the policy flows change, ovs-vswitchd's revalidators re-translate each datapath
     * flow and fix its actions in place ("modify") if its mask still fits. The userspace datapath
     * (OVS 3.1 dpif-netdev {@code flow_put_on_pmd}) finds the flow to modify by a classifier lookup
     * of the flow's key, which with overlapping megaflows can be another flow: the ukey then records
     * the new actions, the real datapath flow keeps the old verdict, and as long as packets keep
     * hitting it (idle timeout never fires) no later revalidation touches it. Seen in the lab: a
     * drop of an egress-isolated pod's SYNs surviving the policy's deletion, and an allow (with
     * the old rule id in ct_label) surviving a change that denies the peer. A new generation bit per
     * policy change makes every re-translation examine a bit the installed megaflows left wildcarded,
     * so the revalidator deletes them (by ufid, exact) instead of modifying them, and the next
     * packet is translated from the current flows.
     */
    public List<FlowMod> generationFlows(int generation) {
        if (generation < 0) {
            throw new IllegalArgumentException("policy generation " + generation + " must not be negative");
        }
        long bit = 1L << (generation % GENERATIONS);
        List<FlowMod> f = new ArrayList<>();
        for (PipelineStage stage : List.of(EGRESS_POLICY, INGRESS_POLICY)) {
            f.add(pipeline.flow(stage, PRIORITY_GENERATION, cookies.policy(stage, 0),
                    Match.builder().ctState("-trk").ctMark(bit, bit).build(), List.of(), null));
        }
        return f;
    }

    // ------------------------------------------------------------------ rule flows

    /**
     * Every flow of these rules and isolated pods, merged: one flow per distinct (table, priority,
     * match). Deterministic: the same input gives the same flows in the same order. The flow count
     * grows with the sum of each rule's targets, peer prefixes and port matches (plus one conj_id
     * and two metering flows per rule), not with their product.
     */
    public List<FlowMod> ruleFlows(Collection<PolicyRuleSpec> rules, Collection<PolicyIsolation> isolations) {
        requireNonNull(rules, "rules");
        requireNonNull(isolations, "isolations");
        Map<String, FlowMod> single = new TreeMap<>();
        Map<String, Clause> clauses = new TreeMap<>();
        Map<String, FlowMod> perRule = new TreeMap<>();
        List<PolicyRuleSpec> sorted = new ArrayList<>(rules);
        sorted.sort(Comparator.comparingLong(PolicyRuleSpec::ruleId));
        for (PolicyRuleSpec rule : sorted) {
            if (!rule.matchesSomething()) {
                continue;
            }
            PipelineStage stage = policyStage(rule.direction());
            List<List<Match>> dimensions = new ArrayList<>();
            dimensions.add(rule.targets().stream().map(t -> targetMatch(rule.direction(), t)).toList());
            rule.peers().ifPresent(peers -> dimensions.add(peers.stream()
                    .map(p -> peerMatch(rule.direction(), p)).toList()));
            rule.ports().ifPresent(ports -> dimensions.add(ports.stream().map(PolicyFlows::portMatch).toList()));
            List<Action> allow = List.of(Action.SetField.reg(ruleReg(rule.direction()), rule.ruleId()));
            if (dimensions.size() == 1) {
                for (Match m : dimensions.get(0)) {
                    // Rules sorted by id: of identical flows the lowest id stays (it is the one recorded).
                    single.putIfAbsent(key(stage, PRIORITY_SINGLE, m), pipeline.flow(stage, PRIORITY_SINGLE,
                            cookies.policy(stage, rule.ruleId()), m, allow, pipeline.next(stage)));
                }
            } else {
                int n = dimensions.size();
                for (int k = 0; k < n; k++) {
                    for (Match m : dimensions.get(k)) {
                        clauses.computeIfAbsent(key(stage, PRIORITY_CONJUNCTION, m), x -> new Clause(stage, m))
                                .conjunctions.add(new Action.Conjunction(rule.ruleId(), k + 1, n));
                    }
                }
                Match conjId = ipv4().conjId(rule.ruleId()).build();
                perRule.put(key(stage, PRIORITY_CONJUNCTION, conjId), pipeline.flow(stage, PRIORITY_CONJUNCTION,
                        cookies.policy(stage, rule.ruleId()), conjId, allow, pipeline.next(stage)));
            }
            PipelineStage metering = meteringStage(rule.direction());
            int shift = rule.direction() == Direction.INGRESS ? 0 : 32;
            Match counted = ipv4().ctState("-new+trk").ctLabel(BigInteger.valueOf(rule.ruleId()).shiftLeft(shift),
                    LABEL_ID_MASK.shiftLeft(shift)).build();
            perRule.put(key(metering, PipelineFlows.PRIORITY_HIGH, counted), pipeline.flow(metering,
                    PipelineFlows.PRIORITY_HIGH, cookies.policy(metering, rule.ruleId()), counted, List.of(),
                    pipeline.next(metering)));
        }
        Map<String, FlowMod> isolation = new TreeMap<>();
        for (PolicyIsolation iso : isolations) {
            PipelineStage stage = policyStage(iso.direction());
            Match own = iso.direction() == Direction.INGRESS ? ipv4().ipv4Dst(iso.pod(), 32).build()
                    : ipv4().ipv4Src(iso.pod(), 32).build();
            isolation.put(key(stage, PRIORITY_ISOLATION, own), pipeline.flow(stage, PRIORITY_ISOLATION,
                    cookies.policyIsolation(stage, iso.pod()), own, List.of(), null));
            if (iso.direction() == Direction.EGRESS) {
                // A pod reaching itself through a Service (hairpin): always allowed.
                Match self = ipv4().ipv4Src(iso.pod(), 32).ipv4Dst(iso.pod(), 32).build();
                isolation.put(key(stage, PRIORITY_PASS, self), pipeline.flow(stage, PRIORITY_PASS,
                        cookies.policy(stage, 0), self, List.of(), pipeline.next(stage)));
            }
        }
        List<FlowMod> out = new ArrayList<>(single.values());
        clauses.values().forEach(c -> out.add(c.flow()));
        out.addAll(perRule.values());
        out.addAll(isolation.values());
        return out;
    }

    /** Deletes every policy rule and isolation flow (non-strict delete by cookie kind). */
    public List<FlowMod> deleteAll() {
        return List.of(deleteKind(CookieScheme.KIND_POLICY), deleteKind(CookieScheme.KIND_POLICY_ISOLATION));
    }

    private FlowMod deleteKind(int kind) {
        return FlowMod.builder(FlowModCommand.DELETE).tableId(OfConstants.TABLE_ALL).cookie(cookies.kindValue(kind))
                .cookieMask(cookies.kindMask()).match(Match.ANY).build();
    }

    /** The strict delete of one flow this class made (same table, priority and match). */
    public static FlowMod deleteStrict(FlowMod flow) {
        return FlowMod.builder(FlowModCommand.DELETE_STRICT).tableId(flow.tableId()).priority(flow.priority())
                .match(flow.match()).build();
    }

    /** The identity of a flow in its table: table, priority and match (what OVS keeps one flow per). */
    public static String key(FlowMod flow) {
        return flow.tableId() + "/" + flow.priority() + "/" + FlowText.match(flow.match());
    }

    private String key(PipelineStage stage, int priority, Match match) {
        return String.format("%03d/%05d/%s", pipeline.table(stage), priority, FlowText.match(match));
    }

    private final class Clause {
        private final PipelineStage stage;
        private final Match match;
        private final TreeSet<Action.Conjunction> conjunctions = new TreeSet<>(Comparator
                .comparingLong(Action.Conjunction::id).thenComparingInt(Action.Conjunction::clause));

        Clause(PipelineStage stage, Match match) {
            this.stage = stage;
            this.match = match;
        }

        FlowMod flow() {
            return pipeline.flow(stage, PRIORITY_CONJUNCTION, cookies.policy(stage, 0), match,
                    List.copyOf(conjunctions), null);
        }
    }

    private static int ruleReg(Direction direction) {
        return direction == Direction.INGRESS ? INGRESS_RULE_REG : EGRESS_RULE_REG;
    }

    private static Match targetMatch(Direction direction, Inet4Address pod) {
        return direction == Direction.INGRESS ? ipv4().ipv4Dst(pod, 32).build() : ipv4().ipv4Src(pod, 32).build();
    }

    private static Match peerMatch(Direction direction, Ipv4Subnet peer) {
        return direction == Direction.INGRESS ? ipv4().ipv4Src(peer.network(), peer.prefixLength()).build()
                : ipv4().ipv4Dst(peer.network(), peer.prefixLength()).build();
    }

    private static Match portMatch(PolicyRuleSpec.L4Match port) {
        Match.Builder b = ipv4().ipProto(port.ipProto());
        port.port().ifPresent(p -> {
            boolean exact = p.mask() == 0xffff;
            switch (port.ipProto()) {
                case 6 -> { if (exact) { b.tcpDst(p.port()); } else { b.tcpDst(p.port(), p.mask()); } }
                case 17 -> { if (exact) { b.udpDst(p.port()); } else { b.udpDst(p.port(), p.mask()); } }
                default -> { if (exact) { b.sctpDst(p.port()); } else { b.sctpDst(p.port(), p.mask()); } }
            }
        });
        return b.build();
    }

    private static Match.Builder ipv4() {
        return Match.builder().ethType(ETH_TYPE_IPV4);
    }
}
