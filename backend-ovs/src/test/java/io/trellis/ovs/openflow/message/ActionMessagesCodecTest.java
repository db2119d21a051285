package io.trellis.ovs.openflow.message;

import static io.trellis.ovs.openflow.message.CodecTestSupport.decodeHex;
import static io.trellis.ovs.openflow.message.CodecTestSupport.hex;
import static io.trellis.ovs.openflow.message.CodecTestSupport.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.openflow.OfCodecException;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.match.Match;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Messages embedding matches, actions and instructions, in both wire versions. */
class ActionMessagesCodecTest {

    private static final Match MATCH = Match.builder().ethType(0x800).ipv4Dst("10.2.0.1").build();
    private static final List<Instruction> OUTPUT_5 = List.of(Instruction.ApplyActions.of(Action.Output.to(5)));

    private static FlowMod richFlowMod() {
        return FlowMod.builder(FlowModCommand.MODIFY_STRICT).xid(12).cookie(0x1234).cookieMask(-1L).tableId(9)
                .priority(10).idleTimeout(30).hardTimeout(300).flags(FlowMod.SEND_FLOW_REM | FlowMod.CHECK_OVERLAP)
                .outPort(5).outGroup(7).match(MATCH)
                .instructions(List.of(Instruction.ApplyActions.of(Action.SetField.reg(0, 0x1234), Action.Output.to(5)),
                        new Instruction.GotoTable(10)))
                .build();
    }

    @ParameterizedTest
    @EnumSource(OfVersion.class)
    void flowModRoundTripsInEveryCommand(OfVersion v) {
        for (FlowModCommand c : FlowModCommand.values()) {
            roundTrip(richFlowMod().toBuilder().command(c).build(), v);
        }
        roundTrip(FlowMod.add(7, 0, Match.ANY, List.of()).withXid(3), v);
    }

    @Test
    void flowModLayoutMatchesOvsBundleCapture() {
        // Same flow as captures/bundle-add-flowmod.txt (ovs-ofctl --bundle add-flows, xid 6).
        FlowMod flow = FlowMod.add(9, 10, MATCH, OUTPUT_5).withXid(6);
        String captured = "060e00600000000600000000000000000000000000000000090000000000000affffffffffffffffffffffff"
                + "000000000001001280000a020800800018040a020001000000000000000400180000000000000010000000050000000000000000";
        assertThat(hex(flow, OfVersion.OF15)).isEqualTo(captured);
        assertThat(hex(BundleAdd.of(0, 3, flow), OfVersion.OF15))
                .isEqualTo("06220070000000060000000000000003" + captured);
    }

    @Test
    void importanceExistsOnlyInOpenFlow15() {
        FlowMod withImportance = richFlowMod().toBuilder().importance(42).build();
        assertThat(((FlowMod) decodeHex(roundTrip(withImportance, OfVersion.OF15))).importance()).isEqualTo(42);
        FlowMod via13 = (FlowMod) decodeHex(hex(withImportance, OfVersion.OF13));
        assertThat(via13.importance()).isZero();
        assertThat(via13).isEqualTo(withImportance.toBuilder().importance(0).build());
    }

    @ParameterizedTest
    @EnumSource(OfVersion.class)
    void groupModsOfEveryType(OfVersion v) {
        List<Bucket> select = List.of(Bucket.select(0, 10, List.of(Action.Output.to(5))),
                Bucket.select(1, 20, List.of(Action.SetField.reg(1, 2), Action.Output.to(6))));
        roundTrip(GroupMod.add(1, GroupType.SELECT, select).withXid(4), v);
        roundTrip(GroupMod.modify(2, GroupType.ALL, List.of(Bucket.of(0, List.of(Action.Output.to(5))),
                Bucket.of(1, List.of(Action.Output.to(6))))).withXid(5), v);
        roundTrip(GroupMod.add(3, GroupType.INDIRECT, List.of(Bucket.of(0, List.of(new Action.Group(1))))), v);
        roundTrip(GroupMod.add(4, GroupType.FAST_FAILOVER, List.of(
                Bucket.watching(0, 5, OfConstants.GROUP_ANY, List.of(Action.Output.to(5))),
                Bucket.watching(1, 6, 3, List.of(Action.Output.to(6))))), v);
        roundTrip(GroupMod.delete(OfConstants.GROUP_ALL), v);
    }

    @Test
    void groupModLayoutsDifferBetweenVersions() {
        GroupMod mod = GroupMod.add(3, GroupType.SELECT, List.of(Bucket.select(1, 1, List.of(Action.Output.to(5)))))
                .withXid(6);
        // OpenFlow 1.5, as captures/group-mod-modify.txt but ADD: bucket_array_len, command_bucket_id,
        // bucket_id 1, output:5, weight property (type 0, length 8).
        assertThat(hex(mod, OfVersion.OF15)).isEqualTo("060f003800000006000001000000000300200000ffffffff"
                + "00200010000000010000001000000005000000000000000000000008" + "00010000");
        // OpenFlow 1.3: ofp_bucket with weight 1, watch port/group ANY.
        assertThat(hex(mod, OfVersion.OF13)).isEqualTo("040f003000000006000001000000000300200001ffffffffffffffff"
                + "00000000" + "00000010000000050000000000000000");
        assertThat(((GroupMod) decodeHex(hex(mod, OfVersion.OF13))).buckets().get(0).bucketId())
                .as("1.3 has no bucket ids; decoding numbers them").isZero();
    }

    @Test
    void bucketCommandsNeedOpenFlow15() {
        GroupMod insert = new GroupMod(1, GroupModCommand.INSERT_BUCKET, GroupType.SELECT, 1, OfConstants.BUCKET_LAST,
                List.of(Bucket.select(9, 1, List.of(Action.Output.to(5)))), RawBytes.EMPTY);
        roundTrip(insert, OfVersion.OF15);
        assertThatThrownBy(() -> hex(insert, OfVersion.OF13)).isInstanceOf(OfCodecException.class)
                .hasMessageContaining("INSERT_BUCKET needs OpenFlow 1.5");
    }

    @ParameterizedTest
    @EnumSource(OfVersion.class)
    void packetOutCarriesInPort(OfVersion v) {
        PacketOut out = PacketOut.of(5, List.of(Action.Output.to(Action.Output.TABLE)),
                RawBytes.fromHex("0000000000020000000000010800")).withXid(9);
        PacketOut back = (PacketOut) decodeHex(roundTrip(out, v));
        assertThat(back.inPort()).isEqualTo(5);
    }

    @Test
    void packetOutWithPipelineFieldsNeedsOpenFlow15() {
        PacketOut out = PacketOut.withMatch(Match.builder().inPort(5).metadata(7).build(),
                List.of(Action.Output.to(Action.Output.TABLE)), RawBytes.fromHex("01"));
        roundTrip(out, OfVersion.OF15);
        assertThatThrownBy(() -> hex(out, OfVersion.OF13)).isInstanceOf(OfCodecException.class)
                .hasMessageContaining("OpenFlow 1.3 carries only in_port");
    }

    @ParameterizedTest
    @EnumSource(OfVersion.class)
    void flowStatsReplies(OfVersion v) {
        FlowStats a = FlowStats.of(9, 2, 500, 10, 0, 0, 0, 0, 0x42, 7, 700, MATCH, OUTPUT_5);
        FlowStats b = FlowStats.of(3, 1, 0, 0, 60, 0, 1, 0, 0, 0, 0, Match.ANY, List.of());
        roundTrip(new FlowStatsReply(6, MultipartReply.REPLY_MORE, List.of(a, b)), v);
        if (v == OfVersion.OF15) {
            FlowStats withIdle = new FlowStats(9, 2, 500, 10, 0, 0, 0, 5, 0x42, 7, 700, OptionalLong.of(3L << 32), MATCH,
                    OUTPUT_5, RawBytes.EMPTY);
            FlowStatsReply back = (FlowStatsReply) decodeHex(roundTrip(new FlowStatsReply(6, 0, List.of(withIdle)), v));
            assertThat(back.entries().get(0).idleAgeSeconds()).hasValue(3);
        }
    }

    @ParameterizedTest
    @EnumSource(OfVersion.class)
    void groupDescReplies(OfVersion v) {
        GroupDesc select = new GroupDesc(GroupType.SELECT, 1, List.of(Bucket.select(0, 10, List.of(Action.Output.to(5))),
                Bucket.select(1, 20, List.of(Action.Output.to(6)))), RawBytes.EMPTY);
        GroupDesc all = new GroupDesc(GroupType.ALL, 2, List.of(Bucket.of(0, List.of(Action.Output.to(5)))),
                RawBytes.EMPTY);
        roundTrip(new GroupDescReply(2, 0, List.of(select, all)), v);
    }
}
