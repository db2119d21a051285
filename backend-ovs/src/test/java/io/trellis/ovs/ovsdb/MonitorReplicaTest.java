package io.trellis.ovs.ovsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MonitorReplicaTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String R1 = "aaaaaaaa-0000-0000-0000-000000000001";
    private static final String P1 = "bbbbbbbb-0000-0000-0000-000000000001";
    private static final String P2 = "bbbbbbbb-0000-0000-0000-000000000002";
    private static final String SCHEMA = """
            {"name":"Test","version":"1.0.0","tables":{
              "Bridge":{"columns":{
                "name":{"type":"string"},
                "ports":{"type":{"key":{"type":"uuid","refTable":"Port"},"min":0,"max":"unlimited"}},
                "fail_mode":{"type":{"key":{"type":"string","enum":["set",["standalone","secure"]]},"min":0,"max":1}},
                "external_ids":{"type":{"key":"string","value":"string","min":0,"max":"unlimited"}}},
                "isRoot":true}}}""";

    private static JsonNode json(String s) throws Exception {
        return MAPPER.readTree(s);
    }

    @Test
    void schemaColumnTypesAreParsed() throws Exception {
        DatabaseSchema schema = DatabaseSchema.fromJson(json(SCHEMA));
        DatabaseSchema.TableSchema bridge = schema.requireTable("Bridge");
        assertThat(bridge.isRoot()).isTrue();
        assertThat(bridge.column("name")).contains(new DatabaseSchema.ColumnType("string", java.util.Optional.empty(), 1, 1));
        assertThat(bridge.column("ports").orElseThrow().isComposite()).isTrue();
        assertThat(bridge.column("fail_mode").orElseThrow().isComposite()).isFalse();
        assertThat(bridge.column("external_ids").orElseThrow().isMap()).isTrue();
    }

    @Test
    void update2InitialModifyDeleteGiveCompleteOldAndNewRows() throws Exception {
        MonitorReplica replica = new MonitorReplica(true, List.of(MonitorRequest.allColumns("Bridge")));
        replica.schema(DatabaseSchema.fromJson(json(SCHEMA)));
        List<RowUpdate> initial = replica.applySnapshot(json("""
                {"Bridge":{"%s":{"initial":{"name":"br0","ports":["uuid","%s"],"fail_mode":["set",[]],
                  "external_ids":["map",[["a","1"],["b","2"]]]}}}}""".formatted(R1, P1)));
        assertThat(initial).singleElement().satisfies(u -> {
            assertThat(u.kind()).isEqualTo(RowUpdate.Kind.INITIAL);
            assertThat(u.oldRow()).isEmpty();
            assertThat(u.newRow().orElseThrow().uuid()).isEqualTo(Uuid.parse(R1));
        });

        // ovsdb-server's diff: ports toggles P1 (remove) and P2 (add); map removes a=1, changes b, adds c;
        // the optional fail_mode (max 1) carries its new value.
        List<RowUpdate> modify = replica.applyChange(json("""
                {"Bridge":{"%s":{"modify":{"ports":["set",[["uuid","%s"],["uuid","%s"]]],
                  "external_ids":["map",[["a","1"],["b","3"],["c","4"]]],"fail_mode":"secure"}}}}"""
                .formatted(R1, P1, P2)));
        RowUpdate u = modify.get(0);
        assertThat(u.kind()).isEqualTo(RowUpdate.Kind.MODIFY);
        Row after = u.newRow().orElseThrow();
        assertThat(after.getUuidSet("ports")).containsExactly(Uuid.parse(P2));
        assertThat(after.getStringMap("external_ids")).isEqualTo(Map.of("b", "3", "c", "4"));
        assertThat(after.getOptionalString("fail_mode")).contains("secure");
        assertThat(after.getString("name")).isEqualTo("br0");
        assertThat(u.oldRow().orElseThrow().getUuidSet("ports")).containsExactly(Uuid.parse(P1));
        assertThat(u.changedColumns()).containsExactlyInAnyOrder("ports", "external_ids", "fail_mode");

        List<RowUpdate> clear = replica.applyChange(json("""
                {"Bridge":{"%s":{"modify":{"fail_mode":["set",[]]}}}}""".formatted(R1)));
        assertThat(clear.get(0).newRow().orElseThrow().getOptionalString("fail_mode")).isEmpty();

        List<RowUpdate> delete = replica.applyChange(json("{\"Bridge\":{\"%s\":{\"delete\":null}}}".formatted(R1)));
        assertThat(delete.get(0).kind()).isEqualTo(RowUpdate.Kind.DELETE);
        assertThat(delete.get(0).oldRow().orElseThrow().getString("name")).isEqualTo("br0");
        assertThat(replica.rows("Bridge")).isEmpty();
    }

    @Test
    void update2RowsGetTheColumnsTheServerLeftOutBecauseTheyHoldDefaults() throws Exception {
        MonitorReplica replica = new MonitorReplica(true,
                List.of(MonitorRequest.of("Bridge", List.of("name", "ports", "fail_mode", "external_ids"))));
        replica.schema(DatabaseSchema.fromJson(json(SCHEMA)));
        replica.applySnapshot(json("{\"Bridge\":{}}"));
        List<RowUpdate> insert = replica.applyChange(json("""
                {"Bridge":{"%s":{"insert":{"name":"br1"}}}}""".formatted(R1)));
        Row row = insert.get(0).newRow().orElseThrow();
        assertThat(row.require("ports")).isEqualTo(OvsdbSet.empty());
        assertThat(row.require("fail_mode")).isEqualTo(OvsdbSet.empty());
        assertThat(row.require("external_ids")).isEqualTo(OvsdbMap.empty());
        // A later map diff applies to the filled-in default.
        List<RowUpdate> modify = replica.applyChange(json("""
                {"Bridge":{"%s":{"modify":{"external_ids":["map",[["k","v"]]]}}}}""".formatted(R1)));
        assertThat(modify.get(0).newRow().orElseThrow().getStringMap("external_ids")).isEqualTo(Map.of("k", "v"));
        assertThat(DatabaseSchema.fromJson(json(SCHEMA)).requireTable("Bridge").column("name").orElseThrow()
                .defaultValue()).isEqualTo(Atom.of(""));
    }

    @Test
    void rfc7047UpdateModifyMergesTheOldColumnsIntoTheNewRow() throws Exception {
        MonitorReplica replica = new MonitorReplica(false, List.of(MonitorRequest.allColumns("Bridge")));
        replica.applySnapshot(json("{\"Bridge\":{}}"));
        List<RowUpdate> insert = replica.applyChange(json("""
                {"Bridge":{"%s":{"new":{"name":"br0","datapath_type":""}}}}""".formatted(R1)));
        assertThat(insert.get(0).kind()).isEqualTo(RowUpdate.Kind.INSERT);
        List<RowUpdate> modify = replica.applyChange(json("""
                {"Bridge":{"%s":{"old":{"datapath_type":""},"new":{"name":"br0","datapath_type":"netdev"}}}}"""
                .formatted(R1)));
        RowUpdate u = modify.get(0);
        assertThat(u.kind()).isEqualTo(RowUpdate.Kind.MODIFY);
        assertThat(u.oldRow().orElseThrow().getString("datapath_type")).isEmpty();
        assertThat(u.newRow().orElseThrow().getString("datapath_type")).isEqualTo("netdev");
        assertThat(u.changedColumns()).containsExactly("datapath_type");
        List<RowUpdate> delete = replica.applyChange(json("""
                {"Bridge":{"%s":{"old":{"name":"br0","datapath_type":"netdev"}}}}""".formatted(R1)));
        assertThat(delete.get(0).kind()).isEqualTo(RowUpdate.Kind.DELETE);
        assertThat(delete.get(0).newRow()).isEmpty();
    }

    @Test
    void snapshotReplacesEverythingKnownBefore() throws Exception {
        MonitorReplica replica = new MonitorReplica(false, List.of(MonitorRequest.allColumns("Bridge")));
        replica.applySnapshot(json("{\"Bridge\":{\"%s\":{\"new\":{\"name\":\"a\"}}}}".formatted(R1)));
        replica.applySnapshot(json("{\"Bridge\":{\"%s\":{\"new\":{\"name\":\"b\"}}}}".formatted(P1)));
        assertThat(replica.rows("Bridge")).containsOnlyKeys(Uuid.parse(P1));
    }

    @Test
    void badUpdatesNameTheRow() throws Exception {
        MonitorReplica replica = new MonitorReplica(true, List.of(MonitorRequest.allColumns("Bridge")));
        replica.schema(DatabaseSchema.fromJson(json(SCHEMA)));
        assertThatThrownBy(() -> replica.applyChange(json("{\"Bridge\":{\"%s\":{\"modify\":{}}}}".formatted(R1))))
                .isInstanceOf(OvsdbProtocolException.class).hasMessageContaining("Bridge row " + R1)
                .hasMessageContaining("never saw");
        assertThatThrownBy(() -> replica.applyChange(json("{\"Bridge\":{\"nope\":{\"insert\":{}}}}")))
                .hasMessageContaining("Bridge row nope");
        assertThatThrownBy(() -> replica.applyChange(json("{\"Bridge\":{\"%s\":{\"upsert\":{}}}}".formatted(R1))))
                .hasMessageContaining("unknown row-update2 member \"upsert\"");
    }
}
