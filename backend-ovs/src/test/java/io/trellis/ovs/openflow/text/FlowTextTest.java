package io.trellis.ovs.openflow.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.MatchField;
import io.trellis.ovs.openflow.match.OxmFields;
import io.trellis.ovs.openflow.match.Subfield;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parts of the text form that OVS cannot be asked about (our own deviations). */
class FlowTextTest {

    @Test
    void emptyMatchAndNoActions() {
        assertThat(FlowText.match(Match.ANY)).isEmpty();
        assertThat(FlowText.actions(Action.DROP)).isEqualTo("drop");
        assertThat(FlowText.instructions(List.of())).isEqualTo("drop");
        assertThat(FlowText.instructions(List.of(new Instruction.ApplyActions(List.of())))).isEqualTo("drop");
    }

    @Test
    void unknownFieldsAndActionsPrintTheirBytes() {
        MatchField unknown = new MatchField(OxmFields.unknown(1, 127, 2, true), new byte[] {0, 5}, new byte[] {0, 0x0f});
        Match m = Match.builder().ethType(0x0800).field(unknown).build();
        assertThat(FlowText.match(m)).isEqualTo("ip,unknown(class=0x0001,field=127)=0x5/0xf");
        assertThat(FlowText.actions(List.of(new Action.Unknown(17, HexFormat.of().parseHex("81000000")))))
                .isEqualTo("unknown(type=0x11,body=81000000)");
    }

    @Test
    void subfieldsUseOvsHeaderNames() {
        assertThat(FlowText.subfield(Subfield.whole(OxmFields.ETH_TYPE))).isEqualTo("NXM_OF_ETH_TYPE[]");
        assertThat(FlowText.subfield(Subfield.whole(OxmFields.METADATA))).isEqualTo("OXM_OF_METADATA[]");
        assertThat(FlowText.subfield(Subfield.range(OxmFields.TUNNEL_ID, 0, 15))).isEqualTo("NXM_NX_TUN_ID[0..15]");
        assertThat(FlowText.subfield(Subfield.bit(OxmFields.xreg(1), 3))).isEqualTo("OXM_OF_PKT_REG1[3]");
    }

    @Test
    void registersFromXregAndXxregPrintAsRegs() {
        Match m = new Match(List.of(
                new MatchField(OxmFields.xreg(1), HexFormat.of().parseHex("0000000100000000"),
                        HexFormat.of().parseHex("ffffffff00000000")),
                MatchField.exact(OxmFields.xxreg(3), HexFormat.of().parseHex("000000000000000000000000000000ff"))));
        assertThat(FlowText.match(m)).isEqualTo("reg2=0x1,reg12=0,reg13=0,reg14=0,reg15=0xff");
    }

    @Test
    void tcpFlagsReadAsOvsOfctlPrintsThem() {
        // Expected strings from `ovs-ofctl -O OpenFlow15 parse-flow 'tcp,tcp_flags=...'` (OVS 3.1).
        assertThat(FlowText.tcpFlags(0x4, 0x4)).isEqualTo("+rst");
        assertThat(FlowText.tcpFlags(0x2, 0x12)).isEqualTo("+syn-ack");
        assertThat(FlowText.tcpFlags(0x12, 0xfff)).isEqualTo("syn|ack");
        assertThat(FlowText.tcpFlags(0, 0xfff)).isEqualTo("0");
    }
}
