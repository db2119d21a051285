package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowStats;
import io.trellis.ovs.openflow.text.FlowText;
import java.util.Comparator;

/**
 * One flow as text, the way {@code ovs-ofctl --no-names dump-flows} prints it without counters:
 * {@code cookie=0x..., table=1, priority=200,arp,in_port=11 actions=goto_table:2}. A flow the
 * agent wants (a {@link FlowMod}) and a flow read back from the switch ({@link FlowStats}) give
 * equal lines when the switch holds exactly that flow, which makes diffs readable.
 *
 * @param match   {@link FlowText#match} form, empty for match-all
 * @param actions {@link FlowText#instructions} form
 */
public record FlowLine(long cookie, int table, int priority, String match, String actions)
        implements Comparable<FlowLine> {

    private static final Comparator<FlowLine> ORDER = Comparator.comparingInt(FlowLine::table)
            .thenComparing(Comparator.comparingInt(FlowLine::priority).reversed())
            .thenComparing(FlowLine::match)
            .thenComparing(l -> Long.toUnsignedString(l.cookie(), 16))
            .thenComparing(FlowLine::actions);

    public FlowLine {
        requireNonNull(match, "match");
        requireNonNull(actions, "actions");
    }

    public static FlowLine of(FlowMod flow) {
        return new FlowLine(flow.cookie(), flow.tableId(), flow.priority(), FlowText.match(flow.match()),
                FlowText.instructions(flow.instructions()));
    }

    public static FlowLine of(FlowStats flow) {
        return new FlowLine(flow.cookie(), flow.tableId(), flow.priority(), FlowText.match(flow.match()),
                FlowText.instructions(flow.instructions()));
    }

    /** Table ascending, then priority descending (the order a lookup tries them), then match. */
    @Override
    public int compareTo(FlowLine other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return "cookie=0x" + Long.toHexString(cookie) + ", table=" + table + ", priority=" + priority
                + (match.isEmpty() ? "" : "," + match) + " actions=" + actions;
    }
}
