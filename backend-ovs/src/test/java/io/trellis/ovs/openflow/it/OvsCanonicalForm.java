package io.trellis.ovs.openflow.it;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.match.MatchField;
import io.trellis.ovs.openflow.match.OxmFields;
import io.trellis.ovs.openflow.match.Subfield;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The two rewrites OVS applies when it hands flows back in an OpenFlow 1.5 flow-stats reply,
 * undone so that sent and dumped flows compare as objects. Nothing else is normalized.
 * <ul>
 * <li>Registers: OVS sends reg0..reg15 packed as the 64-bit xreg0..7 (OXM_OF_PKT_REG), and keeps
 *     no trace of a match having been written as xxreg; both sides are split into 32-bit regs.</li>
 * <li>Headers named in move: OVS answers with the OXM header of a field sent as its NXM_OF_*
 *     twin; subfields are compared by field name, offset and width.</li>
 * </ul>
 */
final class OvsCanonicalForm {
    private OvsCanonicalForm() {
    }

    /** The match fields with every xreg/xxreg split into 32-bit registers, as a set. */
    static Set<MatchField> matchFields(List<MatchField> fields) {
        Set<MatchField> out = new HashSet<>();
        for (MatchField f : fields) {
            String name = f.field().name();
            int regs = name.matches("xreg\\d") ? 2 : name.matches("xxreg\\d") ? 4 : 0;
            if (regs == 0) {
                out.add(f);
                continue;
            }
            int first = Integer.parseInt(name.substring(regs == 2 ? 4 : 5)) * regs;
            byte[] value = f.value();
            byte[] mask = f.mask();
            for (int i = 0; i < regs; i++) {
                byte[] v = Arrays.copyOfRange(value, 4 * i, 4 * i + 4);
                byte[] m = mask == null ? null : Arrays.copyOfRange(mask, 4 * i, 4 * i + 4);
                if (m != null && isAll(m, 0)) {
                    continue; // these 32 bits are not matched
                }
                out.add(m == null || isAll(m, 0xff)
                        ? MatchField.exact(OxmFields.reg(first + i), v)
                        : MatchField.masked(OxmFields.reg(first + i), v, m));
            }
        }
        return out;
    }

    /** Instructions with move subfields reduced to (name, offset, width). */
    static List<Object> instructions(List<Instruction> instructions) {
        List<Object> out = new ArrayList<>();
        for (Instruction i : instructions) {
            if (i instanceof Instruction.ApplyActions apply) {
                out.add(List.of("apply", actions(apply.actions())));
            } else if (i instanceof Instruction.WriteActions write) {
                out.add(List.of("write", actions(write.actions())));
            } else {
                out.add(i);
            }
        }
        return out;
    }

    private static List<Object> actions(List<Action> actions) {
        List<Object> out = new ArrayList<>();
        for (Action a : actions) {
            out.add(a instanceof Action.Move m ? List.of("move", key(m.src()), key(m.dst())) : a);
        }
        return out;
    }

    private static String key(Subfield s) {
        return s.field().name() + "[" + s.ofs() + "+" + s.nBits() + "]";
    }

    private static boolean isAll(byte[] bytes, int value) {
        for (byte b : bytes) {
            if ((b & 0xff) != value) {
                return false;
            }
        }
        return true;
    }

    static boolean sameInstructions(List<Instruction> a, List<Instruction> b) {
        return Objects.equals(instructions(a), instructions(b));
    }
}
