package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The enabled stages of an OVS pipeline and the table each one got: table IDs are assigned when
 * the pipeline is built, 0 for the first enabled stage (where OVS starts every packet), then one
 * more per stage in {@link PipelineStage} order. Only stages that hold flows are enabled; no table
 * is reserved for a feature that is off.
 */
public final class Pipeline {

    /** Every stage of pod networking on one node. */
    public static final List<PipelineStage> LOCAL_POD_NETWORKING = List.of(PipelineStage.CLASSIFIER,
            PipelineStage.SPOOF_GUARD, PipelineStage.ARP_FORWARDING, PipelineStage.CONNTRACK,
            PipelineStage.CONNTRACK_STATE, PipelineStage.L3_FORWARDING, PipelineStage.CONNTRACK_COMMIT,
            PipelineStage.L2_OUTPUT);

    /**
     * Pod networking plus Service load balancing ({@link PipelineStage#SERVICE_LB}, and the
     * resubmit-only tables of session affinity after L2_OUTPUT).
     */
    public static final List<PipelineStage> WITH_SERVICES = List.of(PipelineStage.CLASSIFIER,
            PipelineStage.SPOOF_GUARD, PipelineStage.ARP_FORWARDING, PipelineStage.CONNTRACK,
            PipelineStage.CONNTRACK_STATE, PipelineStage.SERVICE_LB, PipelineStage.L3_FORWARDING,
            PipelineStage.CONNTRACK_COMMIT, PipelineStage.L2_OUTPUT, PipelineStage.SERVICE_AFFINITY,
            PipelineStage.SERVICE_ENDPOINT);

    /**
     * Pod networking with Service load balancing and NetworkPolicy: the policy stages
     * ({@link PolicyFlows}) around L3_FORWARDING and the metering stages after CONNTRACK_COMMIT.
     */
    public static final List<PipelineStage> WITH_POLICY = List.of(PipelineStage.CLASSIFIER,
            PipelineStage.SPOOF_GUARD, PipelineStage.ARP_FORWARDING, PipelineStage.CONNTRACK,
            PipelineStage.CONNTRACK_STATE, PipelineStage.SERVICE_LB, PipelineStage.EGRESS_POLICY,
            PipelineStage.L3_FORWARDING, PipelineStage.INGRESS_POLICY, PipelineStage.CONNTRACK_COMMIT,
            PipelineStage.EGRESS_METRIC, PipelineStage.INGRESS_METRIC, PipelineStage.L2_OUTPUT,
            PipelineStage.SERVICE_AFFINITY, PipelineStage.SERVICE_ENDPOINT);

    private final List<PipelineStage> stages;
    private final Map<PipelineStage, Integer> tables;

    private Pipeline(List<PipelineStage> stages) {
        this.stages = stages;
        Map<PipelineStage, Integer> t = new EnumMap<>(PipelineStage.class);
        for (int i = 0; i < stages.size(); i++) {
            t.put(stages.get(i), i);
        }
        this.tables = t;
    }

    /**
     * A pipeline of the given stages, which must be listed in {@link PipelineStage} order without
     * repeats and start with {@link PipelineStage#CLASSIFIER}.
     */
    public static Pipeline of(List<PipelineStage> stages) {
        requireNonNull(stages, "stages");
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("pipeline stages: empty list, at least CLASSIFIER is needed");
        }
        if (stages.get(0) != PipelineStage.CLASSIFIER) {
            throw new IllegalArgumentException("pipeline stages: the first stage must be CLASSIFIER (table 0, where "
                    + "OVS starts every packet), got " + stages.get(0));
        }
        for (int i = 1; i < stages.size(); i++) {
            PipelineStage previous = requireNonNull(stages.get(i - 1), "stage");
            PipelineStage stage = requireNonNull(stages.get(i), "stage");
            if (stage.ordinal() <= previous.ordinal()) {
                throw new IllegalArgumentException("pipeline stages: " + stage + " listed after " + previous
                        + "; stages must follow the declared order " + List.of(PipelineStage.values())
                        + " without repeats");
            }
        }
        return new Pipeline(List.copyOf(stages));
    }

    public static Pipeline of(PipelineStage... stages) {
        return of(List.of(stages));
    }

    /** The pipeline with every stage of pod networking on one node. */
    public static Pipeline localPodNetworking() {
        return of(LOCAL_POD_NETWORKING);
    }

    /**
     * The pipeline of pod networking with Service load balancing: the stages after
     * CONNTRACK_STATE move one table up, and the CONNTRACK stage applies the connections' NAT.
     */
    public static Pipeline withServices() {
        return of(WITH_SERVICES);
    }

    /** {@link #withServices()} plus the NetworkPolicy stages ({@link #WITH_POLICY}). */
    public static Pipeline withPolicy() {
        return of(WITH_POLICY);
    }

    /** Enabled stages in table order. */
    public List<PipelineStage> stages() {
        return stages;
    }

    public boolean has(PipelineStage stage) {
        return tables.containsKey(stage);
    }

    /** The table ID of an enabled stage. */
    public int table(PipelineStage stage) {
        Integer table = tables.get(requireNonNull(stage, "stage"));
        if (table == null) {
            throw new IllegalArgumentException("stage " + stage + " is not enabled in this pipeline " + stages);
        }
        return table;
    }

    /** The stage whose table is {@code table}, if any. */
    public Optional<PipelineStage> stageOf(int table) {
        return table >= 0 && table < stages.size() ? Optional.of(stages.get(table)) : Optional.empty();
    }

    /** The enabled stage after {@code stage}: where "continue" goes. */
    public PipelineStage next(PipelineStage stage) {
        int table = table(stage);
        if (table + 1 >= stages.size()) {
            throw new IllegalArgumentException("stage " + stage + " is the last one of " + stages + ": no next stage");
        }
        return stages.get(table + 1);
    }

    /**
     * An add flow-mod in {@code stage}'s table: apply {@code actions}, then go to {@code gotoStage}'s
     * table (null: none, the packet stops here after the actions; with no actions that is a drop).
     * OpenFlow only lets a packet go forward (OpenFlow 1.5.1 section 5.1), so gotoStage must come
     * after stage.
     */
    public FlowMod flow(PipelineStage stage, int priority, long cookie, Match match, List<Action> actions,
            PipelineStage gotoStage) {
        int table = table(stage);
        requireNonNull(match, "match");
        requireNonNull(actions, "actions");
        List<Instruction> instructions = new ArrayList<>(2);
        if (!actions.isEmpty()) {
            instructions.add(new Instruction.ApplyActions(actions));
        }
        if (gotoStage != null) {
            int target = table(gotoStage);
            if (target <= table) {
                throw new IllegalArgumentException("flow in " + stage + " (table " + table + ") cannot go to "
                        + gotoStage + " (table " + target + "): goto_table must move forward");
            }
            instructions.add(new Instruction.GotoTable(target));
        }
        return FlowMod.builder(FlowModCommand.ADD).tableId(table).priority(priority).cookie(cookie).match(match)
                .instructions(instructions).build();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Pipeline[");
        for (int i = 0; i < stages.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(i).append('=').append(stages.get(i));
        }
        return sb.append(']').toString();
    }
}
