package io.trellis.ovs.openflow.message;

import static io.trellis.ovs.openflow.message.CodecTestSupport.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.match.Match;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Has OVS itself ({@code ovs-ofctl ofp-print}, Open vSwitch 3.1, package openvswitch-switch, required)
 * decode messages this library encodes, for the layouts the captures do not cover: 1.3 group-mods,
 * fast-failover watch properties, 1.3 packet-out, 1.5 flow-desc OXS stats, group-desc replies.
 */
class OvsOfpPrintCrossCheckTest {

    private static final Match MATCH = Match.builder().ethType(0x800).ipv4Dst("10.2.0.1").build();
    private static final List<Instruction> OUTPUT_5 = List.of(Instruction.ApplyActions.of(Action.Output.to(5)));

    private static String ofpPrint(OfMessage m, OfVersion v) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ovs-ofctl", "ofp-print", hex(m, v)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("ovs-ofctl ofp-print: %s", out).isZero();
        return out;
    }

    @Test
    void groupModsAsOvsReadsThem() throws Exception {
        GroupMod select = GroupMod.add(1, GroupType.SELECT, List.of(Bucket.select(0, 10, List.of(Action.Output.to(5))),
                Bucket.select(1, 20, List.of(Action.SetField.reg(1, 2), Action.Output.to(6))))).withXid(4);
        assertThat(ofpPrint(select, OfVersion.OF13)).contains("OFPT_GROUP_MOD (OF1.3) (xid=0x4)")
                .contains("ADD group_id=1,type=select,bucket=weight:10,actions=output:5,"
                        + "bucket=weight:20,actions=set_field:0x2->reg1,output:6");
        assertThat(ofpPrint(select, OfVersion.OF15)).contains("ADD group_id=1,type=select,bucket=bucket_id:0,weight:10,"
                + "actions=output:5,bucket=bucket_id:1,weight:20,actions=set_field:0x2->reg1,output:6");
        GroupMod ff = GroupMod.add(4, GroupType.FAST_FAILOVER, List.of(
                Bucket.watching(0, 5, OfConstants.GROUP_ANY, List.of(Action.Output.to(5))),
                Bucket.watching(1, 6, 3, List.of(Action.Output.to(6)))));
        for (OfVersion v : OfVersion.values()) {
            assertThat(ofpPrint(ff, v)).contains("type=ff").contains("watch_port:5,actions=output:5")
                    .contains("watch_port:6,watch_group:3,actions=output:6");
        }
    }

    @Test
    void packetOutAndFlowModsAsOvsReadsThem() throws Exception {
        PacketOut out = PacketOut.of(5, List.of(Action.Output.to(Action.Output.TABLE)),
                RawBytes.fromHex("0000000000020000000000010800")).withXid(9);
        for (OfVersion v : OfVersion.values()) {
            assertThat(ofpPrint(out, v)).contains("OFPT_PACKET_OUT").contains("in_port=5 actions=TABLE data_len=14");
        }
        FlowMod modify = FlowMod.builder(FlowModCommand.MODIFY_STRICT).xid(12).cookie(0x1234).cookieMask(-1L)
                .tableId(9).priority(10).idleTimeout(30).hardTimeout(300)
                .flags(FlowMod.SEND_FLOW_REM | FlowMod.CHECK_OVERLAP).outPort(5).match(MATCH).instructions(OUTPUT_5)
                .build();
        assertThat(ofpPrint(modify, OfVersion.OF13)).contains("MOD_STRICT table:9 priority=10,ip,nw_dst=10.2.0.1 "
                + "cookie:0x1234/0xffffffffffffffff idle:30 hard:300 out_port:5 send_flow_rem check_overlap "
                + "actions=output:5");
        FlowMod delete = FlowMod.delete(OfConstants.TABLE_ALL, Match.ANY).toBuilder().cookie(0x100).cookieMask(0xff00)
                .build();
        assertThat(ofpPrint(delete, OfVersion.OF15)).contains("DEL table:255 cookie:0x100/0xff00");
    }

    @Test
    void statsRepliesAsOvsReadsThem() throws Exception {
        FlowStats flow = new FlowStats(9, 2, 500, 10, 0, 0, 0, 5, 0x42, 7, 700, OptionalLong.of(3L << 32), MATCH,
                OUTPUT_5, RawBytes.EMPTY);
        assertThat(ofpPrint(new FlowStatsReply(6, 0, List.of(flow)), OfVersion.OF15))
                .contains("cookie=0x42, duration=2.0000005s, table=9, n_packets=7, n_bytes=700, importance=5, "
                        + "idle_age=3, priority=10,ip,nw_dst=10.2.0.1 actions=output:5");
        assertThat(ofpPrint(new FlowStatsReply(6, 0, List.of(flow)), OfVersion.OF13))
                .contains("cookie=0x42, duration=2.0000005s, table=9, n_packets=7, n_bytes=700, priority=10");
        GroupDesc desc = new GroupDesc(GroupType.SELECT, 1, List.of(Bucket.select(0, 10, List.of(Action.Output.to(5)))),
                RawBytes.EMPTY);
        assertThat(ofpPrint(new GroupDescReply(2, 0, List.of(desc)), OfVersion.OF13))
                .contains("group_id=1,type=select,bucket=weight:10,actions=output:5");
        assertThat(ofpPrint(new GroupDescReply(2, 0, List.of(desc)), OfVersion.OF15))
                .contains("group_id=1,type=select,bucket=bucket_id:0,weight:10,actions=output:5");
    }
}
