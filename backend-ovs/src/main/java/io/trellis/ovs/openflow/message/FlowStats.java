package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.match.Match;
import java.util.List;
import java.util.OptionalLong;

/**
 * One flow of a flow-stats reply. OpenFlow 1.3 uses struct ofp_flow_stats with fixed counters.
 * OVS 3.1 answers 1.5 with struct ofp15_flow_desc (OpenFlow 1.5.1 section 7.3.5.2), whose counters
 * are OXS stats (section 7.2.4): duration, idle_time, packet_count, byte_count; OXS fields not
 * modelled here are kept raw in {@code otherStats}.
 *
 * @param idleTime OXS IDLE_TIME (seconds in the high 32 bits, nanoseconds in the low), 1.5 only
 */
public record FlowStats(int tableId, long durationSec, long durationNsec, int priority, int idleTimeout,
        int hardTimeout, int flags, int importance, long cookie, long packetCount, long byteCount,
        OptionalLong idleTime, Match match, List<Instruction> instructions, RawBytes otherStats) {

    public FlowStats {
        Check.u8("tableId", tableId);
        Check.u32("durationSec", durationSec);
        Check.u32("durationNsec", durationNsec);
        Check.u16("priority", priority);
        Check.u16("idleTimeout", idleTimeout);
        Check.u16("hardTimeout", hardTimeout);
        Check.u16("flags", flags);
        Check.u16("importance", importance);
        requireNonNull(idleTime, "idleTime");
        requireNonNull(match, "match");
        instructions = List.copyOf(requireNonNull(instructions, "instructions"));
        requireNonNull(otherStats, "otherStats");
    }

    /** A flow-stats entry without the 1.5-only extras. */
    public static FlowStats of(int tableId, long durationSec, long durationNsec, int priority, int idleTimeout,
            int hardTimeout, int flags, int importance, long cookie, long packetCount, long byteCount, Match match,
            List<Instruction> instructions) {
        return new FlowStats(tableId, durationSec, durationNsec, priority, idleTimeout, hardTimeout, flags, importance,
                cookie, packetCount, byteCount, OptionalLong.empty(), match, instructions, RawBytes.EMPTY);
    }

    /** Whole seconds since the flow last matched a packet (1.5 replies), if the switch said. */
    public OptionalLong idleAgeSeconds() {
        return idleTime.isPresent() ? OptionalLong.of(idleTime.getAsLong() >>> 32) : OptionalLong.empty();
    }
}
