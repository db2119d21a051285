package io.trellis.ovs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FlowDiffTest {
    private static final FlowLine X = new FlowLine(1, 0, 10, "in_port=1", "drop");
    private static final FlowLine Y = new FlowLine(1, 1, 10, "ip", "goto_table:2");
    private static final FlowLine Y_OTHER_ACTIONS = new FlowLine(1, 1, 10, "ip", "goto_table:3");

    @Test
    void equalSetsAreInSync() {
        FlowDiff d = FlowDiff.between(List.of(X, Y), List.of(Y, X));
        assertThat(d.isEmpty()).isTrue();
        assertThat(d).hasToString("in sync");
    }

    @Test
    void reportsMissingUnexpectedAndDuplicates() {
        FlowDiff d = FlowDiff.between(List.of(X, Y), List.of(X, X, Y_OTHER_ACTIONS));
        assertThat(d.missing()).containsExactly(Y);
        assertThat(d.unexpected()).containsExactly(X, Y_OTHER_ACTIONS);
        assertThat(d.isEmpty()).isFalse();
        assertThat(d.toString()).isEqualTo("""
                - cookie=0x1, table=1, priority=10,ip actions=goto_table:2
                + cookie=0x1, table=0, priority=10,in_port=1 actions=drop
                + cookie=0x1, table=1, priority=10,ip actions=goto_table:3
                """);
    }

    @Test
    void linesSortByTableThenPriorityDescending() {
        FlowLine high = new FlowLine(1, 1, 200, "ip", "drop");
        FlowLine low = new FlowLine(1, 1, 0, "", "drop");
        FlowLine first = new FlowLine(1, 0, 0, "", "drop");
        assertThat(List.of(low, high, first).stream().sorted().toList()).containsExactly(first, high, low);
        assertThat(low).hasToString("cookie=0x1, table=1, priority=0 actions=drop");
    }
}
