package io.trellis.ovs.openflow.text;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.action.InstructionCodec;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.MatchCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test helper: wraps a match and instructions in a hand-built OFPT_FLOW_MOD (ADD) so that
 * {@code ovs-ofctl ofp-print} can decode them, and runs ovs-ofctl.
 */
final class OvsFlowMods {

    /** Bytes of the flow-mod before the match: header 8 + fixed part 40 (OpenFlow 1.3 and 1.5 alike). */
    static final int MATCH_OFFSET = 48;
    static final int PRIORITY = 100;

    private OvsFlowMods() {
    }

    static byte[] flowMod(OfVersion v, Match match, List<Instruction> instructions) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(v.wireVersion()).writeByte(14).writeShort(0).writeInt(2);
        b.writeLong(0).writeLong(0); // cookie, cookie mask
        b.writeByte(0).writeByte(0); // table, command ADD
        b.writeShort(0).writeShort(0).writeShort(PRIORITY); // idle, hard timeout, priority
        b.writeInt(0xffffffff).writeInt(0xffffffff).writeInt(0xffffffff); // buffer, out_port, out_group
        b.writeShort(0).writeShort(0); // flags, importance (1.5) / pad (1.3)
        MatchCodec.encode(match, b);
        InstructionCodec.encode(instructions, b, v);
        b.setShort(2, b.writerIndex());
        return ByteBufUtil.getBytes(b);
    }

    /** Runs {@code ovs-ofctl ofp-print HEX} and returns its first output line; fails if ovs-ofctl does. */
    static String ofpPrint(byte[] message) {
        try {
            Process p = new ProcessBuilder("ovs-ofctl", "ofp-print", ByteBufUtil.hexDump(message))
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("ovs-ofctl ofp-print timed out");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("ovs-ofctl ofp-print failed (" + p.exitValue() + "): " + out);
            }
            return out.lines().findFirst().orElse("");
        } catch (IOException e) {
            throw new AssertionError("cannot run ovs-ofctl (is openvswitch-switch installed?): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The flow text of an ofp-print line of a flow-mod ADD, without the priority:
     * {@code "OFPT_FLOW_MOD (OF1.5) (xid=0x2): ADD priority=100,ip actions=drop"} gives
     * {@code "ip actions=drop"}; with an empty match {@code " actions=drop"} gives {@code "actions=drop"}.
     */
    static String flowOf(String ofpPrintLine) {
        int add = ofpPrintLine.indexOf(": ADD ");
        if (add < 0) {
            throw new AssertionError("not a flow-mod ADD: " + ofpPrintLine);
        }
        return stripPriority(ofpPrintLine.substring(add + 6));
    }

    static String stripPriority(String flow) {
        String prefix = "priority=" + PRIORITY;
        if (!flow.startsWith(prefix)) {
            throw new AssertionError("expected " + prefix + " in: " + flow);
        }
        String rest = flow.substring(prefix.length());
        return rest.startsWith(",") ? rest.substring(1) : rest.strip();
    }

    /** What our text gives for the same flow, in the same shape as {@link #flowOf}. */
    static String ourFlow(Match m, List<Instruction> instructions) {
        String match = FlowText.match(m);
        String actions = "actions=" + FlowText.instructions(instructions);
        return match.isEmpty() ? actions : match + " " + actions;
    }
}
