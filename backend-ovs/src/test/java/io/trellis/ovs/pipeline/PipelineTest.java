package io.trellis.ovs.pipeline;

import static io.trellis.ovs.pipeline.PipelineStage.ARP_FORWARDING;
import static io.trellis.ovs.pipeline.PipelineStage.CLASSIFIER;
import static io.trellis.ovs.pipeline.PipelineStage.CONNTRACK;
import static io.trellis.ovs.pipeline.PipelineStage.CONNTRACK_COMMIT;
import static io.trellis.ovs.pipeline.PipelineStage.CONNTRACK_STATE;
import static io.trellis.ovs.pipeline.PipelineStage.L2_OUTPUT;
import static io.trellis.ovs.pipeline.PipelineStage.L3_FORWARDING;
import static io.trellis.ovs.pipeline.PipelineStage.SPOOF_GUARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.message.FlowMod;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineTest {

    @Test
    void tableIdsFollowTheDeclaredStageOrder() {
        Pipeline p = Pipeline.localPodNetworking();
        assertThat(p.stages()).containsExactly(CLASSIFIER, SPOOF_GUARD, ARP_FORWARDING, CONNTRACK, CONNTRACK_STATE,
                L3_FORWARDING, CONNTRACK_COMMIT, L2_OUTPUT);
        for (int i = 0; i < p.stages().size(); i++) {
            assertThat(p.table(p.stages().get(i))).isEqualTo(i);
            assertThat(p.stageOf(i)).contains(p.stages().get(i));
        }
        assertThat(p.stageOf(p.stages().size())).isEmpty();
    }

    @Test
    void onlyEnabledStagesGetTables() {
        Pipeline p = Pipeline.of(CLASSIFIER, CONNTRACK, L3_FORWARDING, L2_OUTPUT);
        assertThat(p.table(CLASSIFIER)).isZero();
        assertThat(p.table(CONNTRACK)).isEqualTo(1);
        assertThat(p.table(L3_FORWARDING)).isEqualTo(2);
        assertThat(p.table(L2_OUTPUT)).isEqualTo(3);
        assertThat(p.next(CONNTRACK)).isEqualTo(L3_FORWARDING);
        assertThat(p.has(SPOOF_GUARD)).isFalse();
        assertThatThrownBy(() -> p.table(SPOOF_GUARD))
                .hasMessageContaining("stage SPOOF_GUARD is not enabled");
        assertThatThrownBy(() -> p.next(L2_OUTPUT)).hasMessageContaining("L2_OUTPUT is the last one");
    }

    @Test
    void stagesMustBeInOrderWithoutRepeatsStartingWithTheClassifier() {
        assertThatThrownBy(() -> Pipeline.of(CLASSIFIER, L2_OUTPUT, L3_FORWARDING))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("L3_FORWARDING listed after L2_OUTPUT");
        assertThatThrownBy(() -> Pipeline.of(CLASSIFIER, CONNTRACK, CONNTRACK))
                .hasMessageContaining("CONNTRACK listed after CONNTRACK");
        assertThatThrownBy(() -> Pipeline.of(SPOOF_GUARD, L2_OUTPUT))
                .hasMessageContaining("first stage must be CLASSIFIER")
                .hasMessageContaining("got SPOOF_GUARD");
        assertThatThrownBy(() -> Pipeline.of(List.of())).hasMessageContaining("empty");
    }

    @Test
    void flowGetsItsStageTableAndGotoTheTargetStageTable() {
        Pipeline p = Pipeline.of(CLASSIFIER, CONNTRACK, L2_OUTPUT);
        FlowMod f = p.flow(CONNTRACK, 7, 0x42, Match.builder().ethType(0x0800).build(),
                List.of(Action.Output.to(3)), L2_OUTPUT);
        assertThat(f.tableId()).isEqualTo(1);
        assertThat(f.priority()).isEqualTo(7);
        assertThat(f.cookie()).isEqualTo(0x42);
        assertThat(f.instructions()).containsExactly(Instruction.ApplyActions.of(Action.Output.to(3)),
                new Instruction.GotoTable(2));

        FlowMod drop = p.flow(L2_OUTPUT, 0, 0x42, Match.ANY, Action.drop(), null);
        assertThat(drop.tableId()).isEqualTo(2);
        assertThat(drop.instructions()).as("a drop has no instructions at all").isEmpty();
    }

    @Test
    void gotoMustMoveForward() {
        Pipeline p = Pipeline.localPodNetworking();
        assertThatThrownBy(() -> p.flow(L3_FORWARDING, 1, 0, Match.ANY, Action.drop(), CONNTRACK))
                .hasMessageContaining("cannot go to CONNTRACK (table 3)")
                .hasMessageContaining("L3_FORWARDING (table 5)");
        assertThatThrownBy(() -> p.flow(L3_FORWARDING, 1, 0, Match.ANY, Action.drop(), L3_FORWARDING))
                .hasMessageContaining("goto_table must move forward");
    }

    @Test
    void stageCodesAreDistinctAndFitTheirCookieByte() {
        assertThat(Arrays.stream(PipelineStage.values()).map(PipelineStage::code).distinct().count())
                .isEqualTo(PipelineStage.values().length);
        assertThat(PipelineStage.values()).allSatisfy(s -> assertThat(s.code()).isBetween(1, 0xff));
    }
}
