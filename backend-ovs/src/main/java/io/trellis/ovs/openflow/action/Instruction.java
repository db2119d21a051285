package io.trellis.ovs.openflow.action;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/** One OpenFlow instruction (OpenFlow 1.5.1 section 7.2.5). */
public sealed interface Instruction
        permits Instruction.GotoTable, Instruction.WriteMetadata, Instruction.WriteActions,
        Instruction.ApplyActions, Instruction.ClearActions, Instruction.Meter, Instruction.Unknown {

    /** OFPIT_GOTO_TABLE. */
    record GotoTable(int table) implements Instruction {
        public GotoTable {
            if (table < 0 || table > 254) {
                throw new IllegalArgumentException("goto_table: table " + table + " out of range 0..254");
            }
        }
    }

    /** OFPIT_WRITE_METADATA. */
    record WriteMetadata(long value, long mask) implements Instruction {
    }

    /** OFPIT_WRITE_ACTIONS: add to the action set. */
    record WriteActions(List<Action> actions) implements Instruction {
        public WriteActions {
            actions = List.copyOf(Objects.requireNonNull(actions, "actions"));
        }
    }

    /** OFPIT_APPLY_ACTIONS: run now. */
    record ApplyActions(List<Action> actions) implements Instruction {
        public ApplyActions {
            actions = List.copyOf(Objects.requireNonNull(actions, "actions"));
        }

        public static ApplyActions of(Action... actions) {
            return new ApplyActions(List.of(actions));
        }
    }

    /** OFPIT_CLEAR_ACTIONS: empty the action set. */
    record ClearActions() implements Instruction {
    }

    /** OFPIT_METER (OpenFlow 1.3 only; OpenFlow 1.5 has a meter action instead). */
    record Meter(long meterId) implements Instruction {
        public Meter {
            if (meterId < 0 || meterId > 0xffffffffL) {
                throw new IllegalArgumentException("meter: id " + meterId + " out of range");
            }
        }
    }

    /**
     * An instruction this library does not model, kept verbatim: {@code body} is every byte after the
     * 4-byte type/length header.
     */
    record Unknown(int type, byte[] body) implements Instruction {
        public Unknown {
            body = Objects.requireNonNull(body, "body").clone();
            if (type < 0 || type > 0xffff) {
                throw new IllegalArgumentException("unknown instruction: type " + type + " out of range");
            }
            if ((body.length + 4) % 8 != 0 || body.length + 4 > 0xffff) {
                throw new IllegalArgumentException("unknown instruction type " + type + ": length "
                        + (body.length + 4) + " is not a multiple of 8");
            }
        }

        @Override
        public byte[] body() {
            return body.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown u && type == u.type && Arrays.equals(body, u.body);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(body);
        }

        @Override
        public String toString() {
            return "Unknown[type=0x" + Integer.toHexString(type) + ", body=" + HexFormat.of().formatHex(body) + "]";
        }
    }
}
