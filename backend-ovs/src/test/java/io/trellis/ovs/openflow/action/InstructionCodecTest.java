package io.trellis.ovs.openflow.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.trellis.ovs.openflow.OfCodecException;
import io.trellis.ovs.openflow.OfVersion;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstructionCodecTest {

    private static final List<Instruction> ALL = List.of(
            new Instruction.Meter(5),
            Instruction.ApplyActions.of(Action.Output.to(3), Action.SetField.reg(0, 1, 1)),
            new Instruction.ApplyActions(List.of()),
            new Instruction.ClearActions(),
            new Instruction.WriteActions(List.of(new Action.Group(1))),
            new Instruction.WriteMetadata(0x1234, 0xffff),
            new Instruction.GotoTable(254),
            new Instruction.Unknown(0xffff, HexFormat.of().parseHex("000023200000000000000000")));

    private static String hex(List<Instruction> ins, OfVersion v) {
        ByteBuf b = Unpooled.buffer();
        InstructionCodec.encode(ins, b, v);
        return ByteBufUtil.hexDump(b);
    }

    @Test
    void everyInstructionRoundTripsInBothVersions() {
        for (OfVersion v : OfVersion.values()) {
            ByteBuf b = Unpooled.buffer();
            InstructionCodec.encode(ALL, b, v);
            String bytes = ByteBufUtil.hexDump(b);
            List<Instruction> back = InstructionCodec.decode(b, b.readableBytes(), v);
            assertThat(back).isEqualTo(ALL);
            assertThat(hex(back, v)).isEqualTo(bytes);
        }
    }

    @Test
    void encodesTheSpecLayouts() {
        assertThat(hex(List.of(new Instruction.GotoTable(10)), OfVersion.OF15)).isEqualTo("000100080a000000");
        assertThat(hex(List.of(new Instruction.WriteMetadata(1, 0xff)), OfVersion.OF15))
                .isEqualTo("00020018" + "00000000" + "0000000000000001" + "00000000000000ff");
        assertThat(hex(List.of(new Instruction.ClearActions()), OfVersion.OF13)).isEqualTo("0005000800000000");
        // "drop" as ovs-ofctl sends it: an empty apply-actions
        assertThat(hex(List.of(new Instruction.ApplyActions(List.of())), OfVersion.OF15)).isEqualTo("0004000800000000");
        assertThat(hex(List.of(Instruction.ApplyActions.of(Action.Output.to(3))), OfVersion.OF15))
                .isEqualTo("00040018000000000000001000000003" + "0000000000000000");
    }

    @Test
    void malformedInstructionsAreRejected() {
        assertThatThrownBy(() -> decode("0001000c0a00000000000000")).isInstanceOf(OfCodecException.class)
                .hasMessageContaining("instruction type 1").hasMessageContaining("length 12");
        assertThatThrownBy(() -> decode("0001001000000000")).hasMessageContaining("length 16");
        assertThatThrownBy(() -> decode("00020010000000000000000000000000")).hasMessageContaining("OFPIT_WRITE_METADATA: length 16");
        assertThatThrownBy(() -> decode("00010008ff000000")).hasMessageContaining("table 255");
        assertThatThrownBy(() -> decode("0001")).hasMessageContaining("truncated");
        assertThatThrownBy(() -> decode("00040010000000000000000400000000"))
                .hasMessageContaining("action type 0x0000").hasMessageContaining("length 4");
    }

    private static List<Instruction> decode(String hex) {
        ByteBuf b = Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex));
        return InstructionCodec.decode(b, b.readableBytes(), OfVersion.OF15);
    }
}
