package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.openflow.message.FlowMod;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FlowMixTest {

    @Test
    void everyFlowHasADistinctMatchSoNFlowModsLeaveNFlows() {
        List<FlowMod> flows = FlowMix.generate(20_000);
        Set<String> keys = new HashSet<>();
        for (FlowMod flow : flows) {
            keys.add(flow.tableId() + "/" + flow.priority() + "/" + flow.match());
        }
        assertThat(flows).hasSize(20_000);
        assertThat(keys).hasSize(20_000);
    }

    @Test
    void theMixCoversEveryPipelineStageInItsShare() {
        Map<Integer, Long> perTable = FlowMix.generate(1_000).stream()
                .collect(Collectors.groupingBy(FlowMod::tableId, Collectors.counting()));
        assertThat(perTable).containsEntry(FlowMix.TABLE_SPOOF_GUARD, 100L)
                .containsEntry(FlowMix.TABLE_POLICY, 400L)
                .containsEntry(FlowMix.TABLE_SERVICE, 300L)
                .containsEntry(FlowMix.TABLE_L3, 200L);
    }

    @Test
    void rejectsANonPositiveCount() {
        assertThatThrownBy(() -> FlowMix.generate(0)).hasMessageContaining("--flows").hasMessageContaining("0");
    }
}
