package io.trellis.ovs.openflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test-side parser of ovs-ofctl output, on lines as OVS 3.1 prints them. */
class OfctlDumpParserTest {

    @Test
    void parsesFlowLinesWithStatsDefaultsAndFlags() {
        List<OfctlFlow> flows = OfctlFlow.parseDump("""
                OFPST_FLOW reply (OF1.5) (xid=0x2):
                 cookie=0x0, duration=0.233s, table=0, n_packets=3, n_bytes=180, idle_age=0, priority=0 actions=NORMAL
                 cookie=0x0, duration=0.018s, table=0, n_packets=0, n_bytes=0, send_flow_rem idle_age=0, actions=drop
                 cookie=0x1234, duration=0.123s, table=1, n_packets=0, n_bytes=0, idle_timeout=30, hard_timeout=300, idle_age=0, priority=100,tcp,in_port=5,nw_src=10.0.0.0/8,tp_src=0x1000/0xf000 actions=output:6,group:1
                 cookie=0x0, duration=0.087s, table=4, n_packets=0, n_bytes=0, idle_age=0, priority=400,ct_state=-new+est+trk,ct_zone=5,ip actions=ct(commit,table=6,zone=5,nat(dst=10.0.0.1-10.0.0.5:80-90))
                """);
        assertThat(flows).hasSize(4);
        assertThat(flows.get(0)).isEqualTo(new OfctlFlow(0, 0, 0, 0, 0, 3, 180, java.util.Set.of(), Map.of(), "NORMAL"));
        assertThat(flows.get(1).priority()).isEqualTo(OfctlFlow.DEFAULT_PRIORITY);
        assertThat(flows.get(1).flags()).containsExactly("send_flow_rem");
        assertThat(flows.get(1).actions()).isEqualTo("drop");
        OfctlFlow rich = flows.get(2);
        assertThat(rich.cookie()).isEqualTo(0x1234);
        assertThat(rich.table()).isEqualTo(1);
        assertThat(rich.idleTimeout()).isEqualTo(30);
        assertThat(rich.hardTimeout()).isEqualTo(300);
        assertThat(rich.match()).containsOnly(Map.entry("tcp", ""), Map.entry("in_port", "5"),
                Map.entry("nw_src", "10.0.0.0/8"), Map.entry("tp_src", "0x1000/0xf000"));
        assertThat(rich.actions()).isEqualTo("output:6,group:1");
        assertThat(flows.get(3).match()).containsEntry("ct_state", "-new+est+trk");
        assertThat(flows.get(3).actions()).isEqualTo("ct(commit,table=6,zone=5,nat(dst=10.0.0.1-10.0.0.5:80-90))");
    }

    @Test
    void parsesMatchTextAndRejectsLinesWithoutActions() {
        assertThat(OfctlFlow.parseMatch("tcp,in_port=5,tp_dst=80")).containsOnly(Map.entry("tcp", ""),
                Map.entry("in_port", "5"), Map.entry("tp_dst", "80"));
        assertThatThrownBy(() -> OfctlFlow.parse("table=1, priority=5")).hasMessageContaining("no actions");
    }

    @Test
    void parsesGroupLines() {
        List<OfctlGroup> groups = OfctlGroup.parseDump("""
                OFPST_GROUP_DESC reply (OF1.5) (xid=0x2):
                 group_id=1,type=select,selection_method=hash,fields(ip_src,ip_dst),bucket=bucket_id:1,weight:10,actions=ct(commit,table=1,zone=1,nat(dst=10.96.1.2:8080)),bucket=bucket_id:2,weight:20,actions=set_field:0x2->reg1,output:6
                 group_id=2,type=all,bucket=bucket_id:0,actions=output:5
                """);
        assertThat(groups).hasSize(2);
        assertThat(groups.get(0).groupId()).isEqualTo(1);
        assertThat(groups.get(0).type()).isEqualTo("select");
        assertThat(groups.get(0).properties()).isEqualTo("selection_method=hash,fields(ip_src,ip_dst)");
        assertThat(groups.get(0).buckets()).containsExactly(
                new OfctlGroup.Bucket("bucket_id:1,weight:10", "ct(commit,table=1,zone=1,nat(dst=10.96.1.2:8080))"),
                new OfctlGroup.Bucket("bucket_id:2,weight:20", "set_field:0x2->reg1,output:6"));
        assertThat(groups.get(1)).isEqualTo(new OfctlGroup(2, "all", "",
                List.of(new OfctlGroup.Bucket("bucket_id:0", "output:5"))));
    }
}
