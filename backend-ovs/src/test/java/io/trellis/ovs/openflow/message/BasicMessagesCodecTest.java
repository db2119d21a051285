package io.trellis.ovs.openflow.message;

import static io.trellis.ovs.openflow.message.CodecTestSupport.decodeHex;
import static io.trellis.ovs.openflow.message.CodecTestSupport.hex;
import static io.trellis.ovs.openflow.message.CodecTestSupport.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.openflow.OfCodecException;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.MatchField;
import io.trellis.ovs.openflow.match.OxmFields;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Messages that embed no actions. Expected byte strings were checked with
 * {@code ovs-ofctl ofp-print HEX} (OVS 3.1), which decodes them to the fields given here.
 */
class BasicMessagesCodecTest {

    private static final Match MATCH = Match.builder().inPort(3).ethType(0x800).ipv4Src("10.1.0.0/16").build();

    @Test
    void helloOfferingBothVersionsMatchesOvsBytes() {
        Hello hello = Hello.offering(1, OfVersion.OF13, OfVersion.OF15);
        // ofp-print: OFPT_HELLO (OF1.5) (xid=0x1): version bitmap: 0x04, 0x06
        assertThat(roundTrip(hello, OfVersion.OF15)).isEqualTo("06000010000000010001000800000050");
        assertThat(hello.headerVersion()).isEqualTo(6);
        assertThat(hello.bitmapVersions()).containsExactly(4, 6);
    }

    @Test
    void helloNegotiation() {
        Hello ovsBoth = Hello.offering(1, OfVersion.OF13, OfVersion.OF15);
        assertThat(ovsBoth.negotiate(OfVersion.OF13, OfVersion.OF15)).contains(OfVersion.OF15);
        Hello only13 = new Hello(1, 4, new TreeSet<>(Set.of(1, 4)), RawBytes.EMPTY);
        assertThat(only13.negotiate(OfVersion.OF13, OfVersion.OF15)).contains(OfVersion.OF13);
        Hello only10 = new Hello(1, 1, new TreeSet<>(), RawBytes.EMPTY);
        assertThat(only10.negotiate(OfVersion.OF13, OfVersion.OF15)).isEmpty();
        // Without a bitmap the peer's header version is its highest: 1.4 implies 1.3 is acceptable.
        Hello of14NoBitmap = new Hello(1, 5, new TreeSet<>(), RawBytes.EMPTY);
        assertThat(of14NoBitmap.negotiate(OfVersion.OF13, OfVersion.OF15)).contains(OfVersion.OF13);
    }

    @Test
    void helloFromOldVersionAndUnknownElementsIsKept() {
        // OF1.0 hello with no elements, then one with an unknown element type 7 (length 6 + 2 pad).
        Hello plain = (Hello) decodeHex("0100000800000005");
        assertThat(plain.headerVersion()).isEqualTo(1);
        assertThat(plain.bitmapVersions()).isEmpty();
        String withUnknown = "0600001800000005" + "0001000800000050" + "0007000601020000";
        Hello h = (Hello) decodeHex(withUnknown);
        assertThat(h.bitmapVersions()).containsExactly(4, 6);
        assertThat(h.otherElements().toHex()).isEqualTo("0007000601020000");
        assertThat(hex(h, OfVersion.OF15)).isEqualTo(withUnknown);
    }

    @Test
    void helloWithBadElementLengthNamesTheElement() {
        assertThatThrownBy(() -> decodeHex("060000100000000100010020" + "00000050"))
                .isInstanceOf(OfCodecException.class)
                .hasMessageContaining("ofp_hello_elem type 1: length 32");
    }

    @ParameterizedTest
    @EnumSource(OfVersion.class)
    void headerOnlyAndSimpleMessagesRoundTrip(OfVersion v) {
        String ver = String.format("%02x", v.wireVersion());
        assertThat(roundTrip(new FeaturesRequest(7), v)).isEqualTo(ver + "05000800000007");
        assertThat(roundTrip(new BarrierRequest(8), v)).isEqualTo(ver + "14000800000008");
        assertThat(roundTrip(new BarrierReply(8), v)).isEqualTo(ver + "15000800000008");
        assertThat(roundTrip(new GetConfigRequest(9), v)).isEqualTo(ver + "07000800000009");
        assertThat(roundTrip(new GetConfigReply(9, 0, 0xffff), v)).isEqualTo(ver + "08000c000000090000ffff");
        assertThat(roundTrip(new SetConfig(10, 1, 128), v)).isEqualTo(ver + "09000c0000000a00010080");
        assertThat(roundTrip(new EchoRequest(11, RawBytes.fromHex("cafe")), v)).isEqualTo(ver + "02000a0000000bcafe");
        assertThat(roundTrip(new EchoReply(11, RawBytes.EMPTY), v)).isEqualTo(ver + "030008" + "0000000b");
    }

    @ParameterizedTest
    @EnumSource(OfVersion.class)
    void featuresReply(OfVersion v) {
        FeaturesReply reply = new FeaturesReply(2, 0x0000aabbccddeeffL, 0, 254, 0, 0x4f, 0);
        // ofp-print: dpid:0000aabbccddeeff n_tables:254, n_buffers:0 capabilities: FLOW_STATS TABLE_STATS ...
        assertThat(roundTrip(reply, v)).isEqualTo(String.format("%02x", v.wireVersion())
                + "060020000000020000aabbccddeeff00000000fe0000000000004f00000000");
    }

    @ParameterizedTest
    @EnumSource(OfVersion.class)
    void flowStatsRequest(OfVersion v) {
        FlowStatsRequest request = new FlowStatsRequest(3, 0, 5, OfConstants.PORT_ANY, OfConstants.GROUP_ANY, 0x10,
                0xff, MATCH);
        // ofp-print: OFPST_FLOW request (xid=0x3): table=5 ip,in_port=3,nw_src=10.1.0.0/16
        assertThat(roundTrip(request, v)).isEqualTo(String.format("%02x", v.wireVersion())
                + "12005000000003000100000000000005000000ffffffffffffffff0000000000000000000000100000000000"
                + "0000ff0001001e800000040000000380000a020800800017080a010000ffff00000000");
    }

    @ParameterizedTest
    @EnumSource(OfVersion.class)
    void groupStatsRequestAndReply(OfVersion v) {
        String ver = String.format("%02x", v.wireVersion());
        assertThat(roundTrip(GroupStatsRequest.all().withXid(10), v))
                .isEqualTo(ver + "1200180000000a0006000000000000fffffffc00000000");
        GroupStatsReply reply = new GroupStatsReply(4, 0, List.of(new GroupStats(7, 1, 10, 1000, 5, 6, List.of(
                new GroupStats.BucketCounter(3, 300), new GroupStats.BucketCounter(7, 700)))));
        // ofp-print: group_id=7,duration=5.000000006s,ref_count=1,packet_count=10,byte_count=1000,
        //            bucket0:packet_count=3,byte_count=300,bucket1:packet_count=7,byte_count=700
        assertThat(roundTrip(reply, v)).isEqualTo(ver + "13005800000004000600000000000000480000000000070000000100"
                + "000000000000000000000a00000000000003e800000005000000060000000000000003000000000000012c00000000"
                + "0000000700000000000002bc");
        assertThat(reply.more()).isFalse();
        assertThat(new GroupStatsReply(4, MultipartReply.REPLY_MORE, List.of()).more()).isTrue();
    }

    @Test
    void groupDescRequestDiffersBetweenVersions() {
        GroupDescRequest all = GroupDescRequest.all().withXid(11);
        assertThat(roundTrip(all, OfVersion.OF13)).isEqualTo("041200100000000b0007000000000000");
        assertThat(roundTrip(all, OfVersion.OF15)).isEqualTo("061200180000000b0007000000000000fffffffc00000000");
    }

    @Test
    void bundleControlIsStandardIn15AndOnfExperimenterIn13() {
        BundleControl open = BundleControl.of(5, 9, BundleControlType.OPEN_REQUEST,
                BundleControl.ATOMIC | BundleControl.ORDERED);
        // ofp-print: OFPT_BUNDLE_CONTROL (OF1.5): bundle_id=0x9 type=OPEN_REQUEST flags=atomic ordered
        assertThat(roundTrip(open, OfVersion.OF15)).isEqualTo("06210010000000050000000900000003");
        // ofp-print: ONFT_BUNDLE_CONTROL (OF1.3): bundle_id=0x9 type=OPEN_REQUEST flags=atomic ordered
        assertThat(roundTrip(open, OfVersion.OF13)).isEqualTo("04040018000000054f4e4600000008fc0000000900000003");
        for (BundleControlType t : BundleControlType.values()) {
            roundTrip(BundleControl.of(1, 2, t, 0), OfVersion.OF15);
        }
    }

    @Test
    void bundleAddWrapsAnyMessage() {
        BundleAdd add = BundleAdd.of(9, BundleControl.ATOMIC, new BarrierRequest(12));
        String hex15 = roundTrip(add, OfVersion.OF15);
        assertThat(hex15).isEqualTo("062200180000000c" + "0000000900000001" + "061400080000000c");
        roundTrip(add, OfVersion.OF13);
        assertThat(add.withXid(99).message().xid()).isEqualTo(99);
    }

    @ParameterizedTest
    @EnumSource(OfVersion.class)
    void setPacketInFormat(OfVersion v) {
        // ofp-print: NXT_SET_PACKET_IN_FORMAT: format=nxt_packet_in2
        assertThat(roundTrip(new SetPacketInFormat(6, SetPacketInFormat.NXT_PACKET_IN2), v))
                .isEqualTo(String.format("%02x", v.wireVersion()) + "04001400000006000023200000001000000002");
    }

    @ParameterizedTest
    @EnumSource(OfVersion.class)
    void packetIn(OfVersion v) {
        PacketIn pin = new PacketIn(8, OfConstants.NO_BUFFER, 15, PacketInMessage.REASON_APPLY_ACTION, 4, 0x99, MATCH,
                RawBytes.fromHex("ffffffffffff000000000001080045"));
        // ofp-print: OFPT_PACKET_IN: table_id=4 cookie=0x99 total_len=15 ip,in_port=3,nw_src=10.1.0.0/16 (via action)
        assertThat(roundTrip(pin, v)).isEqualTo(String.format("%02x", v.wireVersion())
                + "0a004900000008ffffffff000f010400000000000000990001001e800000040000000380000a020800800017080a01"
                + "0000ffff000000000000ffffffffffff000000000001080045");
    }

    @Test
    void packetIn2WithMetadataAndUserdata() {
        PacketIn2 pin = new PacketIn2(7, RawBytes.fromHex("ffffffffffff000000000001080045"), OptionalInt.empty(),
                OptionalInt.empty(), 4, 0x1234, PacketInMessage.REASON_APPLY_ACTION,
                List.of(MatchField.exact(OxmFields.IN_PORT, new byte[] {0, 0, 0, 3})), RawBytes.of((byte) 1, (byte) 2),
                RawBytes.EMPTY, RawBytes.EMPTY);
        // ofp-print: NXT_PACKET_IN2: table_id=4 cookie=0x1234 total_len=15 in_port=3 (via action) userdata=01.02
        assertThat(roundTrip(pin, OfVersion.OF15)).isEqualTo("0604006000000007000023200000001e00000013ffffffffffff"
                + "000000000001080045000000000000030005040000000004001000000000000000000000123400050005010000000006"
                + "000c8000000400000003000000000007000601020000");
        roundTrip(pin, OfVersion.OF13);
    }

    @Test
    void packetIn2KeepsUnknownPropertiesAndContinuation() {
        PacketIn2 pin = new PacketIn2(1, RawBytes.fromHex("01020304"), OptionalInt.of(1500), OptionalInt.of(77), 0,
                PacketIn2.NO_COOKIE, 0, List.of(), RawBytes.EMPTY, RawBytes.fromHex("00000000800300040000000000000000"),
                RawBytes.fromHex("0063000501000000"));
        PacketIn2 back = (PacketIn2) decodeHex(roundTrip(pin, OfVersion.OF15));
        assertThat(back.otherProperties().toHex()).isEqualTo("0063000501000000");
        assertThat(back.fullLen()).hasValue(1500);
        assertThat(back.continuation()).isEqualTo(pin.continuation());
    }

    @Test
    void packetIn2WithoutPacketPropertyIsRejected() {
        String hex = "0604001800000001" + "000023200000001e" + "0003000504000000";
        assertThatThrownBy(() -> decodeHex(hex)).isInstanceOf(OfCodecException.class)
                .hasMessageContaining("missing NXPINT_PACKET");
    }

    @Test
    void unknownMessagesAndExperimentersKeepTheirBytes() {
        String portStatus = "040c0018000000000100000000000000" + "0102030405060708";
        UnknownMessage m = (UnknownMessage) decodeHex(portStatus);
        assertThat(m.type()).isEqualTo(OfType.PORT_STATUS);
        assertThat(hex(m, OfVersion.OF15)).isEqualTo(portStatus);

        String nxOther = "06040014000000020000232000000099deadbeef";
        UnknownExperimenter e = (UnknownExperimenter) decodeHex(nxOther);
        assertThat(e.expType()).isEqualTo(0x99);
        assertThat(hex(e, OfVersion.OF15)).isEqualTo(nxOther);

        String of10Flow = "010e0010000000030102030405060708";
        UnknownMessage old = (UnknownMessage) decodeHex(of10Flow);
        assertThat(old.version()).isEqualTo(1);
        assertThat(hex(old, OfVersion.OF15)).isEqualTo(of10Flow);

        String otherMultipart = "0613001800000004000d0000000000000102030405060708";
        UnknownMultipartReply mp = (UnknownMultipartReply) decodeHex(otherMultipart);
        assertThat(mp.multipartType()).isEqualTo(MultipartType.PORT_DESC);
        assertThat(hex(mp, OfVersion.OF15)).isEqualTo(otherMultipart);
    }

    @Test
    void lengthMismatchAndTruncationNameTheStructure() {
        assertThatThrownBy(() -> decodeHex("0605002000000002" + "0000aabbccddeeff"))
                .isInstanceOf(OfCodecException.class).hasMessageContaining("ofp_header.length: 32");
        assertThatThrownBy(() -> decodeHex("0606001000000002" + "0000aabbccddeeff"))
                .isInstanceOf(OfCodecException.class)
                .hasMessageContaining("FEATURES_REPLY")
                .hasMessageContaining("ofp_switch_features: needs 24 bytes");
        assertThatThrownBy(() -> decodeHex("06210010000000050000000900090003"))
                .isInstanceOf(OfCodecException.class).hasMessageContaining("unknown bundle control type 9");
    }

    @Test
    void encoderRejectsMessagesLongerThan65535() {
        EchoRequest huge = new EchoRequest(1, RawBytes.of(new byte[70000]));
        assertThatThrownBy(() -> hex(huge, OfVersion.OF15)).isInstanceOf(OfCodecException.class)
                .hasMessageContaining("ECHO_REQUEST: length 70008 exceeds 65535");
    }
}
