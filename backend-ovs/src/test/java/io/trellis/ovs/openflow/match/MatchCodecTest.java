package io.trellis.ovs.openflow.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.trellis.ovs.openflow.OfCodecException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MatchCodecTest {

    private static Match roundTrip(Match m) {
        ByteBuf b = Unpooled.buffer();
        MatchCodec.encode(m, b);
        assertThat(b.readableBytes() % 8).as("ofp_match is padded to 8 bytes").isZero();
        Match back = MatchCodec.decode(b);
        assertThat(b.isReadable()).as("decode consumes the padding").isFalse();
        return back;
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed + 17 * i);
        }
        return b;
    }

    static Stream<OxmField> catalogue() {
        return OxmFields.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void everyCatalogueFieldRoundTripsExactAndMasked(OxmField f) {
        Match exact = new Match(List.of(MatchField.exact(f, pattern(f.length(), f.field() + 1))));
        assertThat(roundTrip(exact)).isEqualTo(exact);
        if (f.maskable()) {
            Match masked = new Match(List.of(new MatchField(f, pattern(f.length(), 3), pattern(f.length(), 0x81))));
            assertThat(roundTrip(masked)).isEqualTo(masked);
        }
    }

    @Test
    void catalogueHeadersAreUniqueAndNamed() {
        assertThat(OxmFields.all()).extracting(f -> f.oxmClass() * 1000 + f.field()).doesNotHaveDuplicates();
        assertThat(OxmFields.all()).allSatisfy(f -> assertThat(OxmFields.headerName(f)).isPresent());
        assertThat(OxmFields.regs()).hasSize(16);
        assertThat(OxmFields.xxregs()).hasSize(4);
        assertThat(OxmFields.reg(13).header()).isEqualTo(0x00011a04);
        assertThat(OxmFields.CT_STATE.header()).isEqualTo(0x0001d204);
        assertThat(OxmFields.TUN_IPV4_DST.header()).isEqualTo(0x00014004);
        assertThat(OxmFields.IN_PORT.header()).isEqualTo(0x80000004);
        assertThat(OxmFields.xxreg(1).header()).isEqualTo(0x0001e010);
        assertThat(OxmFields.CT_LABEL.header()).isEqualTo(0x0001d810);
    }

    @Test
    void everyBuilderSetterRoundTrips() throws Exception {
        Match m = Match.builder()
                .inPort(7).ethSrc("aa:bb:cc:dd:ee:ff").ethDst("01:00:00:00:00:00", "01:00:00:00:00:00").ethType(0x0800)
                .ipv4Src("10.0.0.0/8").ipv4Dst(InetAddress.getByName("192.168.1.1"), 32).ipProto(6).ipDscp(46)
                .tcpSrc(0x1000, 0xf000).tcpDst(80).udpSrc(53).udpDst(0x100, 0xff00).sctpSrc(1).sctpDst(2, 0xf)
                .icmpType(8).icmpCode(0).icmpv6Type(135).icmpv6Code(0)
                .arpOp(1).arpSpa("10.0.0.1").arpTpa("10.0.0.0/24").arpSha("00:11:22:33:44:55").arpTha("00:00:00:00:00:01")
                .ipv6Src("fd00::/64").ipv6Dst(InetAddress.getByName("fd00::1"), 128)
                .tunnelId(0x55, 0xff).tunIpv4Src("10.251.0.2").tunIpv4Dst("10.251.0.0/16")
                .metadata(1, 0xff).reg(0, 1).reg(15, 0x10, 0xffff)
                .xxreg(1, BigInteger.valueOf(5)).xxreg(3, BigInteger.ONE, BigInteger.valueOf(0xff))
                .ctState("+trk+est-new").ctZone(65520).ctMark(3, 0xf).ctLabel(BigInteger.ONE.shiftLeft(127))
                .conjId(0xffffffffL).pktMark(5)
                .build();
        assertThat(m.fields()).hasSize(39);
        assertThat(roundTrip(m)).isEqualTo(m);
        assertThat(m.get(OxmFields.IN_PORT)).map(MatchField::valueAsLong).contains(7L);
        assertThat(m.get(OxmFields.CT_STATE)).map(MatchField::valueAsLong).contains((long) (CtState.TRK | CtState.EST));
        assertThat(m.get(OxmFields.CT_STATE)).map(MatchField::maskAsLong)
                .contains((long) (CtState.TRK | CtState.EST | CtState.NEW));
    }

    @Test
    void builderNormalisesMaskedValuesLikeOvs() {
        Match m = Match.builder().ipv4Dst("10.10.2.7/24").reg(0, 0xff, 0xf).tcpDst(80, 0xffff).build();
        assertThat(m.get(OxmFields.IPV4_DST).orElseThrow().value()).containsExactly(10, 10, 2, 0);
        assertThat(m.get(OxmFields.REG0).orElseThrow().valueAsLong()).isEqualTo(0xf);
        assertThat(m.get(OxmFields.TCP_DST).orElseThrow().hasMask()).as("all-ones mask is exact").isFalse();
    }

    @Test
    void builderRejectsValuesOutOfRangeNamingTheField() {
        assertThatThrownBy(() -> Match.builder().reg(16, 1)).hasMessageContaining("reg index").hasMessageContaining("16");
        assertThatThrownBy(() -> Match.builder().tcpDst(65536)).hasMessageContaining("tcp_dst").hasMessageContaining("65536");
        assertThatThrownBy(() -> Match.builder().reg(1, 0x1_0000_0000L)).hasMessageContaining("reg1");
        assertThatThrownBy(() -> Match.builder().inPort(0x10000)).hasMessageContaining("in_port");
        assertThatThrownBy(() -> Match.builder().ipDscp(64)).hasMessageContaining("ip_dscp");
        assertThatThrownBy(() -> Match.builder().ipv4Dst("10.0.0.256")).hasMessageContaining("ip_dst");
        assertThatThrownBy(() -> Match.builder().ipv4Dst("10.0.0.0/33")).hasMessageContaining("prefix length 33");
        assertThatThrownBy(() -> Match.builder().ipv6Src("10.0.0.1")).hasMessageContaining("ipv6_src");
        assertThatThrownBy(() -> Match.builder().ethDst("aa:bb:cc")).hasMessageContaining("aa:bb:cc");
        assertThatThrownBy(() -> Match.builder().ctState("+trk+bogus")).hasMessageContaining("bogus");
        assertThatThrownBy(() -> Match.builder().ctLabel(BigInteger.ONE.shiftLeft(128))).hasMessageContaining("ct_label");
        assertThatThrownBy(() -> Match.builder().xxreg(4, BigInteger.ONE)).hasMessageContaining("xxreg index");
        assertThatThrownBy(() -> new Match(List.of(MatchField.exact(OxmFields.REG0, new byte[4]),
                MatchField.exact(OxmFields.REG0, new byte[4])))).hasMessageContaining("reg0 given twice");
    }

    @Test
    void matchFieldCopiesArraysAndComparesByContent() {
        byte[] v = {0, 0, 0, 1};
        MatchField f = MatchField.exact(OxmFields.REG0, v);
        v[3] = 9;
        assertThat(f.valueAsLong()).isEqualTo(1);
        f.value()[3] = 7;
        assertThat(f.valueAsLong()).isEqualTo(1);
        assertThat(f).isEqualTo(MatchField.exact(OxmFields.REG0, new byte[] {0, 0, 0, 1}))
                .hasSameHashCodeAs(MatchField.exact(OxmFields.REG0, new byte[] {0, 0, 0, 1}));
        assertThat(f.toString()).isEqualTo("reg0=0x00000001");
    }

    @Test
    void ctStateParsesAndPrintsInOvsOrder() {
        CtState s = CtState.parse("+trk-est+new");
        assertThat(s.flags()).isEqualTo(CtState.TRK | CtState.NEW);
        assertThat(s.mask()).isEqualTo(CtState.TRK | CtState.NEW | CtState.EST);
        assertThat(s).hasToString("+new-est+trk");
    }

    @Test
    void encodesTheExactOxmBytes() {
        ByteBuf b = Unpooled.buffer();
        MatchCodec.encode(Match.builder().inPort(3).ethType(0x0800).ctState("+new+trk").build(), b);
        // type 1, length 4+8+6+12=30, TLVs, 2 bytes padding
        assertThat(ByteBufUtil.hexDump(b)).isEqualTo("0001001e" + "8000000400000003" + "80000a020800"
                + "0001d30800000021" + "00000021" + "0000");
    }

    @Test
    void unknownFieldsArePreservedAndReencodedIdentically() {
        // NXM_NX class field 127 (not catalogued) masked, experimenter field with its id, packet reg class field 9
        String tlvs = "0001ff08" + "0102030405060708" + "ffff5406" + "4f4e4600" + "abcd" + "8001120800000000000000ff";
        ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex(tlvs));
        List<MatchField> fields = MatchCodec.decodeFields(in, in.readableBytes());
        assertThat(fields).hasSize(3);
        assertThat(fields.get(0).field().name()).isEqualTo("unknown(class=0x0001,field=127)");
        assertThat(fields.get(0).mask()).containsExactly(5, 6, 7, 8);
        assertThat(fields.get(1).field().name()).isEqualTo("unknown(class=0xffff,field=42)");
        assertThat(fields.get(1).value()).containsExactly(0x4f, 0x4e, 0x46, 0x00, 0xab, 0xcd);
        ByteBuf out = Unpooled.buffer();
        MatchCodec.encodeFields(fields, out);
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo(tlvs);
    }

    @Test
    void experimenterFieldWithMaskIsSplitAfterTheExperimenterId() {
        String tlv = "ffff5508" + "4f4e4600" + "0012" + "00ff";
        ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex(tlv));
        MatchField f = MatchCodec.decodeFields(in, 12).get(0);
        assertThat(f.value()).containsExactly(0x4f, 0x4e, 0x46, 0x00, 0x00, 0x12);
        assertThat(f.mask()).containsExactly(0x00, 0xff);
        ByteBuf out = Unpooled.buffer();
        MatchCodec.encodeField(f, out);
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo(tlv);
    }

    private static OfCodecException decodeFieldsError(String hex) {
        ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex));
        try {
            MatchCodec.decodeFields(in, in.readableBytes());
        } catch (OfCodecException e) {
            return e;
        }
        throw new AssertionError("no exception for " + hex);
    }

    @Test
    void malformedTlvsAreRejectedNamingFieldAndValue() {
        assertThat(decodeFieldsError("0001d203000000").getMessage())
                .contains("class=0x0001 field=105").contains("length 3, expected 4");
        assertThat(decodeFieldsError("00010004000000").getMessage())
                .contains("class=0x0001 field=0").contains("length 4 but only 3 bytes left");
        assertThat(decodeFieldsError("000100").getMessage()).contains("truncated header");
        assertThat(decodeFieldsError("1234020400000001").getMessage())
                .contains("class=0x1234 field=1").contains("unknown OXM class 0x1234");
        assertThat(decodeFieldsError("80000b0400000001").getMessage())
                .contains("class=0x8000 field=5").contains("not maskable");
        assertThat(decodeFieldsError("0001ff0300000000").getMessage()).contains("odd payload length 3");
        assertThat(decodeFieldsError("ffff540200ab").getMessage()).contains("experimenter field needs at least 4");
    }

    @Test
    void malformedOfpMatchIsRejected() {
        assertThatThrownBy(() -> MatchCodec.decode(Unpooled.wrappedBuffer(HexFormat.of().parseHex("0000000400000000"))))
                .isInstanceOf(OfCodecException.class).hasMessageContaining("ofp_match.type: 0");
        assertThatThrownBy(() -> MatchCodec.decode(Unpooled.wrappedBuffer(HexFormat.of().parseHex("0001002000000000"))))
                .isInstanceOf(OfCodecException.class).hasMessageContaining("ofp_match.length: 32");
        assertThatThrownBy(() -> MatchCodec.decode(Unpooled.wrappedBuffer(HexFormat.of().parseHex("0001000200000000"))))
                .isInstanceOf(OfCodecException.class).hasMessageContaining("ofp_match.length: 2");
        assertThatThrownBy(() -> MatchCodec.decode(Unpooled.wrappedBuffer(new byte[2])))
                .isInstanceOf(OfCodecException.class).hasMessageContaining("truncated");
    }

    @Test
    void emptyMatchIsEightBytes() {
        ByteBuf b = Unpooled.buffer();
        MatchCodec.encode(Match.ANY, b);
        assertThat(ByteBufUtil.hexDump(b)).isEqualTo("0001000400000000");
        assertThat(MatchCodec.decode(b)).isEqualTo(Match.ANY);
    }

    @Test
    void bareHeadersRoundTripAndAreChecked() {
        ByteBuf b = Unpooled.buffer();
        MatchCodec.writeHeader(OxmFields.REG13, b);
        assertThat(MatchCodec.readHeader(b, "test")).isEqualTo(OxmFields.REG13);
        assertThatThrownBy(() -> MatchCodec.readHeader(Unpooled.wrappedBuffer(HexFormat.of().parseHex("00011a08")),
                "NXAST_REG_MOVE.src")).hasMessageContaining("NXAST_REG_MOVE.src").hasMessageContaining("length 8, expected 4");
    }
}
