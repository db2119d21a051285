package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OvsCountsTest {

    @Test
    void flowCountOfDumpAggregate() {
        assertThat(OvsCounts.flowCount("OFPST_AGGREGATE reply (OF1.5) (xid=0x2): packet_count=12 byte_count=960 "
                + "flow_count=20112\n")).isEqualTo(20112);
        assertThatThrownBy(() -> OvsCounts.flowCount("ovs-ofctl: connection refused"))
                .hasMessageContaining("flow_count").hasMessageContaining("connection refused");
    }

    @Test
    void groupCountCountsGroupLinesNotBuckets() {
        String dump = """
                OFPST_GROUP_DESC reply (OF1.5) (xid=0x2):
                 group_id=7,type=select,selection_method=dp_hash,bucket=bucket_id:0,actions=ct(commit,zone=65520,table=5,nat(dst=10.97.0.2:8080)),bucket=bucket_id:1,actions=ct(commit,zone=65520,table=5,nat(dst=10.97.0.3:8080))
                 group_id=12,type=select,selection_method=dp_hash,bucket=bucket_id:0,actions=ct(commit,zone=65520,table=5,nat(dst=10.97.0.2:8080))
                """;
        assertThat(OvsCounts.groupCount(dump)).isEqualTo(2);
        assertThat(OvsCounts.groupCount("OFPST_GROUP_DESC reply (OF1.5) (xid=0x2):\n")).isZero();
    }

    @Test
    void bucketTargetsInOrder() {
        String group = " group_id=7,type=select,selection_method=dp_hash,bucket=bucket_id:0,actions=ct(commit,zone=65520,"
                + "table=5,nat(dst=10.97.0.2:8080)),bucket=bucket_id:1,actions=ct(commit,zone=65520,table=5,"
                + "nat(dst=10.97.0.11:8080))\n";
        assertThat(OvsCounts.bucketTargets(group)).containsExactly("10.97.0.2:8080", "10.97.0.11:8080");
        assertThat(OvsCounts.bucketTargets(" group_id=7,type=select,selection_method=dp_hash\n")).isEmpty();
    }

    @Test
    void frontendGroupsFromServiceFlows() {
        String flows = """
                 cookie=0x1050000000001, duration=3.1s, table=4, n_packets=1, n_bytes=74, priority=200,ct_state=+new+trk,tcp,nw_dst=172.30.0.1,tp_dst=80 actions=group:1
                 cookie=0x1050000000001, duration=3.1s, table=4, n_packets=0, n_bytes=0, priority=190,ip,nw_dst=172.30.0.1 actions=drop
                 cookie=0x1050000000002, duration=3.0s, table=4, n_packets=0, n_bytes=0, priority=200,ct_state=+new+trk,tcp,nw_dst=172.30.0.12,tp_dst=80 actions=group:2
                 cookie=0x1000000000000, duration=9.0s, table=0, n_packets=0, n_bytes=0, priority=0 actions=drop
                """;
        assertThat(OvsCounts.frontendGroups(flows)).containsExactly(Map.entry("172.30.0.1:80", 1L),
                Map.entry("172.30.0.12:80", 2L));
    }

    @Test
    void oneFrontendInTwoGroupsIsAnError() {
        String flows = """
                 table=4, priority=200,ct_state=+new+trk,tcp,nw_dst=172.30.0.1,tp_dst=80 actions=group:1
                 table=4, priority=200,ct_state=+new+trk,tcp,nw_dst=172.30.0.1,tp_dst=80 actions=group:9
                """;
        assertThatThrownBy(() -> OvsCounts.frontendGroups(flows)).hasMessageContaining("172.30.0.1:80")
                .hasMessageContaining("1").hasMessageContaining("9");
    }

    @Test
    void flowsToAnAddressDoNotCountLongerAddressesWithTheSamePrefix() {
        String flows = """
                 priority=200,ct_state=+new+trk,tcp,nw_dst=172.30.0.1,tp_dst=80 actions=group:1
                 priority=190,ip,nw_dst=172.30.0.1 actions=drop
                 priority=200,ct_state=+new+trk,tcp,nw_dst=172.30.0.12,tp_dst=80 actions=group:2
                 priority=190,ip,nw_dst=172.30.0.12 actions=drop
                 priority=100,ip,nw_dst=172.30.0.0/16 actions=drop
                """;
        assertThat(OvsCounts.flowsTo(flows, "172.30.0.1")).isEqualTo(2);
        assertThat(OvsCounts.flowsTo(flows, "172.30.0.12")).isEqualTo(2);
        assertThat(OvsCounts.flowsTo(flows, "172.30.0.2")).isZero();
    }

    @Test
    void negativeCountsAreRejected() {
        assertThatThrownBy(() -> new OvsCounts(-1, 0)).hasMessageContaining("flows=-1");
    }
}
