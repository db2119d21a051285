package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.match.Match;
import java.util.List;

/**
 * OFPT_FLOW_MOD (OpenFlow 1.5.1 section 7.3.4.2; 1.3 has the same layout with a pad where 1.5
 * has {@code importance}, so importance is dropped when encoding 1.3).
 *
 * @param cookieMask for modify/delete: which cookie bits must match (0 = any)
 * @param tableId    table, or {@link OfConstants#TABLE_ALL} for delete
 * @param flags      OFPFF_* bits ({@link #SEND_FLOW_REM} ...)
 */
public record FlowMod(int xid, long cookie, long cookieMask, int tableId, FlowModCommand command, int idleTimeout,
        int hardTimeout, int priority, int bufferId, int outPort, int outGroup, int flags, int importance, Match match,
        List<Instruction> instructions) implements OfMessage {

    public static final int SEND_FLOW_REM = 1 << 0;
    public static final int CHECK_OVERLAP = 1 << 1;
    public static final int RESET_COUNTS = 1 << 2;
    public static final int NO_PKT_COUNTS = 1 << 3;
    public static final int NO_BYT_COUNTS = 1 << 4;

    /** OFP_DEFAULT_PRIORITY, what ovs-ofctl uses when a flow names none. */
    public static final int DEFAULT_PRIORITY = 0x8000;

    public FlowMod {
        Check.u8("tableId", tableId);
        requireNonNull(command, "command");
        Check.u16("idleTimeout", idleTimeout);
        Check.u16("hardTimeout", hardTimeout);
        Check.u16("priority", priority);
        Check.u16("flags", flags);
        Check.u16("importance", importance);
        requireNonNull(match, "match");
        instructions = List.copyOf(requireNonNull(instructions, "instructions"));
    }

    public static Builder builder(FlowModCommand command) {
        return new Builder(command);
    }

    /** An add with the defaults of {@link Builder}. */
    public static FlowMod add(int tableId, int priority, Match match, List<Instruction> instructions) {
        return builder(FlowModCommand.ADD).tableId(tableId).priority(priority).match(match)
                .instructions(instructions).build();
    }

    /** Deletes (non-strict) every flow in {@code tableId} (or all tables) matching {@code match}. */
    public static FlowMod delete(int tableId, Match match) {
        return builder(FlowModCommand.DELETE).tableId(tableId).match(match).build();
    }

    public Builder toBuilder() {
        return new Builder(command).xid(xid).cookie(cookie).cookieMask(cookieMask).tableId(tableId)
                .idleTimeout(idleTimeout).hardTimeout(hardTimeout).priority(priority).bufferId(bufferId)
                .outPort(outPort).outGroup(outGroup).flags(flags).importance(importance).match(match)
                .instructions(instructions);
    }

    @Override
    public FlowMod withXid(int xid) {
        return new FlowMod(xid, cookie, cookieMask, tableId, command, idleTimeout, hardTimeout, priority, bufferId,
                outPort, outGroup, flags, importance, match, instructions);
    }

    /** Defaults: table 0, priority 0x8000, no timeouts, no buffer, out_port/out_group ANY, match all. */
    public static final class Builder {
        private int xid;
        private long cookie;
        private long cookieMask;
        private int tableId;
        private FlowModCommand command;
        private int idleTimeout;
        private int hardTimeout;
        private int priority = DEFAULT_PRIORITY;
        private int bufferId = OfConstants.NO_BUFFER;
        private int outPort = OfConstants.PORT_ANY;
        private int outGroup = OfConstants.GROUP_ANY;
        private int flags;
        private int importance;
        private Match match = Match.ANY;
        private List<Instruction> instructions = List.of();

        private Builder(FlowModCommand command) {
            this.command = requireNonNull(command, "command");
        }

        public Builder xid(int xid) {
            this.xid = xid;
            return this;
        }

        public Builder cookie(long cookie) {
            this.cookie = cookie;
            return this;
        }

        public Builder cookieMask(long cookieMask) {
            this.cookieMask = cookieMask;
            return this;
        }

        public Builder tableId(int tableId) {
            this.tableId = tableId;
            return this;
        }

        public Builder command(FlowModCommand command) {
            this.command = command;
            return this;
        }

        public Builder idleTimeout(int idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        public Builder hardTimeout(int hardTimeout) {
            this.hardTimeout = hardTimeout;
            return this;
        }

        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        public Builder bufferId(int bufferId) {
            this.bufferId = bufferId;
            return this;
        }

        public Builder outPort(int outPort) {
            this.outPort = outPort;
            return this;
        }

        public Builder outGroup(int outGroup) {
            this.outGroup = outGroup;
            return this;
        }

        public Builder flags(int flags) {
            this.flags = flags;
            return this;
        }

        public Builder importance(int importance) {
            this.importance = importance;
            return this;
        }

        public Builder match(Match match) {
            this.match = match;
            return this;
        }

        public Builder instructions(List<Instruction> instructions) {
            this.instructions = instructions;
            return this;
        }

        public FlowMod build() {
            return new FlowMod(xid, cookie, cookieMask, tableId, command, idleTimeout, hardTimeout, priority, bufferId,
                    outPort, outGroup, flags, importance, match, instructions);
        }
    }
}
