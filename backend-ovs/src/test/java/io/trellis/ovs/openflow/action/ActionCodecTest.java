package io.trellis.ovs.openflow.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.trellis.ovs.openflow.OfCodecException;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.OxmFields;
import io.trellis.ovs.openflow.match.Subfield;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ActionCodecTest {

    private static InetAddress addr(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** One or more of every action type and every encoding variant. */
    static List<Action> allActions() {
        return List.of(
                Action.Output.to(3), new Action.Output(Action.Output.CONTROLLER, 128), Action.Output.to(Action.Output.LOCAL),
                new Action.Group(7), new Action.DecTtl(),
                Action.SetField.tunDst("10.251.0.2"), Action.SetField.reg(0, 5), Action.SetField.reg(3, 0x500, 0xff00),
                Action.SetField.reg(2, 5, 5), Action.SetField.tunnelId(0x77), Action.SetField.ethDst("aa:bb:cc:dd:ee:ff"),
                Action.SetField.of(Match.builder().xxreg(1, BigInteger.ONE, BigInteger.valueOf(0xff))),
                Action.SetField.ctLabel(BigInteger.TWO, new BigInteger("ffffffffffffffffffffffffffffff00", 16)),
                Action.SetField.of(Match.builder().metadata(1, 0x5)),
                new Action.Move(Subfield.range(OxmFields.REG0, 0, 15), Subfield.range(OxmFields.REG1, 16, 31)),
                Action.Resubmit.toTable(10), new Action.Resubmit(3, null), new Action.Resubmit(4, 12),
                new Action.Resubmit(null, null),
                Action.Ct.lookup(5, 10), Action.Ct.commit(65520).withNat(Action.Nat.dst(addr("10.10.1.2"), 80)),
                new Action.Ct(false, false, Subfield.range(OxmFields.REG13, 0, 15), 0, 10, 0, Action.Nat.existing(),
                        List.of()),
                new Action.Ct(true, true, null, 5, Action.Ct.NO_RECIRC, 21, null,
                        List.of(Action.SetField.ctMark(1), Action.SetField.ctLabel(BigInteger.TWO, BigInteger.valueOf(3)))),
                Action.Ct.commit(0).withNat(new Action.Nat(Action.Nat.NatType.SRC, addr("10.0.0.1").getAddress(),
                        addr("10.0.0.9").getAddress(), 1000, 2000, true, false, true)),
                Action.Ct.commit(1).withNat(new Action.Nat(Action.Nat.NatType.SRC, addr("fd00::1").getAddress(),
                        addr("fd00::9").getAddress(), 0, 0, false, true, false)),
                new Action.CtClear(), new Action.Conjunction(7, 2, 3), new Action.Conjunction(0xffffffffL, 64, 64),
                new Action.Learn(20, 0, 30, 100, 5, Action.Learn.DELETE_LEARNED, 0, 0, List.of(
                        new LearnSpec.MatchImmediate(new byte[] {8, 0}, Subfield.whole(OxmFields.NXM_OF_ETH_TYPE)),
                        LearnSpec.MatchFromField.same(Subfield.whole(OxmFields.NXM_OF_TCP_DST)),
                        new LearnSpec.LoadFromField(Subfield.whole(OxmFields.REG3), Subfield.whole(OxmFields.REG3)),
                        new LearnSpec.LoadImmediate(new byte[] {1}, Subfield.bit(OxmFields.REG0, 19)),
                        new LearnSpec.OutputFromField(Subfield.whole(OxmFields.NXM_OF_IN_PORT)))),
                new Action.Learn(1, 10, 20, 7, -1L, Action.Learn.SEND_FLOW_REM, 2, 4, List.of()),
                Action.Controller.withUserdata(new byte[] {1, 2, 3}, true),
                new Action.Controller(128, 3, 0, null, false),
                new Action.Controller(64, 2, 5, new byte[] {(byte) 0xff}, false),
                new Action.Note(new byte[] {1, 2, 3, 4, 5, 6}),
                new Action.Unknown(0xffff, HexFormat.of().parseHex("000023200011000000000000")), // NXAST_EXIT
                new Action.Unknown(17, HexFormat.of().parseHex("81000000"))); // OFPAT_PUSH_VLAN
    }

    static Stream<Arguments> everyActionInEveryVersion() {
        return Stream.of(OfVersion.values())
                .flatMap(v -> allActions().stream().map(a -> Arguments.of(v, a)));
    }

    private static List<Action> roundTrip(List<Action> actions, OfVersion v) {
        ByteBuf b = Unpooled.buffer();
        ActionCodec.encode(actions, b, v);
        assertThat(b.readableBytes() % 8).isZero();
        int len = b.readableBytes();
        List<Action> back = ActionCodec.decode(b, len, v);
        assertThat(b.isReadable()).isFalse();
        // decoding and re-encoding gives the same bytes
        ByteBuf again = Unpooled.buffer();
        ActionCodec.encode(back, again, v);
        b.readerIndex(0);
        assertThat(ByteBufUtil.hexDump(again)).isEqualTo(ByteBufUtil.hexDump(b));
        return back;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyActionInEveryVersion")
    void everyActionRoundTrips(OfVersion v, Action a) {
        assertThat(roundTrip(List.of(a), v)).containsExactly(a);
    }

    @Test
    void wholeListRoundTripsInBothVersions() {
        for (OfVersion v : OfVersion.values()) {
            assertThat(roundTrip(allActions(), v)).isEqualTo(allActions());
        }
    }

    private static String hex(List<Action> actions, OfVersion v) {
        ByteBuf b = Unpooled.buffer();
        ActionCodec.encode(actions, b, v);
        return ByteBufUtil.hexDump(b);
    }

    @Test
    void encodingsDifferPerVersionAsOvsDoes() {
        Action move = new Action.Move(Subfield.range(OxmFields.REG0, 0, 15), Subfield.range(OxmFields.REG1, 16, 31));
        assertThat(hex(List.of(move), OfVersion.OF15)).isEqualTo("001c00180010000000100000" + "0001000400010204" + "00000000");
        assertThat(hex(List.of(move), OfVersion.OF13)).isEqualTo("ffff0018000023200006001000000010" + "0001000400010204");
        Action masked = Action.SetField.reg(1, 0x500, 0xff00);
        assertThat(hex(List.of(masked), OfVersion.OF15)).isEqualTo("00190010000103080000050000" + "00ff00");
        assertThat(hex(List.of(masked), OfVersion.OF13)).isEqualTo("ffff00180000232000070207000102040000000000000005");
        Action nonContiguous = Action.SetField.reg(2, 5, 5);
        assertThat(hex(List.of(nonContiguous), OfVersion.OF13))
                .isEqualTo("ffff0018000023200021" + "0001050800000005" + "00000005" + "0000");
    }

    @Test
    void dropIsTheEmptyList() {
        assertThat(Action.drop()).isEmpty();
        assertThat(hex(Action.DROP, OfVersion.OF15)).isEmpty();
    }

    @Test
    void nxastResubmitAndDecTtlDecodeToTheSameRecords() {
        // NXAST_RESUBMIT in_port 3, NXAST_DEC_TTL
        ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex(
                "ffff0010" + "00002320" + "0001" + "0003" + "00000000" + "ffff0010" + "00002320" + "0012" + "000000000000"));
        assertThat(ActionCodec.decode(in, 32, OfVersion.OF13))
                .containsExactly(new Action.Resubmit(3, null), new Action.DecTtl());
    }

    @Test
    void recordsValidateTheirValues() {
        assertThatThrownBy(() -> new Action.Conjunction(1, 0, 2)).hasMessageContaining("clause 0");
        assertThatThrownBy(() -> new Action.Conjunction(1, 1, 1)).hasMessageContaining("n_clauses 1");
        assertThatThrownBy(() -> new Action.Output(0x1_0000_0000L, 0)).hasMessageContaining("port");
        assertThatThrownBy(() -> new Action.Resubmit(null, 256)).hasMessageContaining("table 256");
        assertThatThrownBy(() -> Action.Ct.commit(65536)).hasMessageContaining("zone 65536");
        assertThatThrownBy(() -> new Action.Move(Subfield.whole(OxmFields.REG0), Subfield.whole(OxmFields.CT_ZONE)))
                .hasMessageContaining("32 bits");
        assertThatThrownBy(() -> new LearnSpec.LoadImmediate(new byte[] {2}, Subfield.bit(OxmFields.REG0, 19)))
                .hasMessageContaining("wider than 1 bits");
        assertThatThrownBy(() -> new Action.Unknown(0xffff, new byte[3])).hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> new Action.Nat(Action.Nat.NatType.NONE, new byte[4], null, 0, 0, false, false, false))
                .hasMessageContaining("without src or dst");
    }

    @Test
    void recordsAreImmutable() {
        byte[] data = {1, 2};
        Action.Controller c = Action.Controller.withUserdata(data, false);
        data[0] = 9;
        assertThat(c.userdata()).containsExactly(1, 2);
        c.userdata()[0] = 9;
        assertThat(c.userdata()).containsExactly(1, 2);
        List<Action> exec = new java.util.ArrayList<>(List.of(Action.SetField.ctMark(1)));
        Action.Ct ct = Action.Ct.commit(1).withExec(exec);
        exec.clear();
        assertThat(ct.exec()).hasSize(1);
        assertThatThrownBy(() -> ct.exec().add(new Action.DecTtl())).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void unknownVendorAndSubtypeArePreservedVerbatim() {
        String raw = "ffff0010" + "00001234" + "0001020304050607" // another vendor
                + "ffff0010" + "00002320" + "0031000000000000"; // NXAST 49 (check_pkt_larger), not modelled
        ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex(raw));
        List<Action> actions = ActionCodec.decode(in, 32, OfVersion.OF15);
        assertThat(actions).allSatisfy(a -> assertThat(a).isInstanceOf(Action.Unknown.class));
        assertThat(hex(actions, OfVersion.OF15)).isEqualTo(raw);
    }

    @Test
    void controller2WithUnmodelledPropertyIsKeptAsUnknown() {
        // NXAST_CONTROLLER2 with property 5 (meter_id)
        String raw = "ffff0020000023200025000000000000" + "0005000800000007" + "0004000400000000";
        List<Action> actions = ActionCodec.decode(Unpooled.wrappedBuffer(HexFormat.of().parseHex(raw)), 32, OfVersion.OF15);
        assertThat(actions.get(0)).isInstanceOf(Action.Unknown.class);
        assertThat(hex(actions, OfVersion.OF15)).isEqualTo(raw);
    }

    private static String decodeError(String hex) {
        ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex));
        try {
            ActionCodec.decode(in, in.readableBytes(), OfVersion.OF15);
        } catch (OfCodecException e) {
            return e.getMessage();
        }
        throw new AssertionError("no exception for " + hex);
    }

    @Test
    void malformedActionsAreRejectedNamingTheProblem() {
        assertThat(decodeError("0000000c00000003000000000000")).contains("action type 0x0000").contains("length 12");
        assertThat(decodeError("0000000400000000")).contains("length 4");
        assertThat(decodeError("0000001800000003ffff000000000000")).contains("length 24").contains("16 bytes left");
        assertThat(decodeError("00000008")).contains("truncated");
        assertThat(decodeError("0000000800000000")).contains("OFPAT_OUTPUT: length 8, expected 16");
        assertThat(decodeError("ffff0010000023200023000000000000")).contains("NXAST_CT: length 16");
        assertThat(decodeError("ffff00100000232000220303" + "00000007")).contains("NXAST_CONJUNCTION: clause 3");
        assertThat(decodeError("0019001000011a03000000000000" + "0000")).contains("class=0x0001 field=13")
                .contains("length 3, expected 4");
        assertThat(decodeError("00190010" + "0001000400000001" + "01000000")).contains("non-zero padding");
        assertThat(decodeError("ffff0028000023200010" + "00".repeat(22) + "e010000000000000"))
                .contains("NXAST_LEARN spec 0").contains("invalid spec header");
        assertThat(decodeError("ffff0018000023200025000000000000" + "0000000500000000"))
                .contains("NXAST_CONTROLLER2 max_len: length 5");
        assertThat(decodeError("ffff00180000232000070207" + "00010204" + "0000000000000100"))
                .contains("NXAST_REG_LOAD").contains("wider than 8 bits");
    }
}
