package io.trellis.ovs.ovsdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each operation's JSON against text written from RFC 7047 section 5.2. */
class OperationJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Uuid BR = Uuid.parse("0b6d4e0a-7d1f-4bb0-8a59-9e0f2c3b4d5e");

    private static void assertJson(Operation op, String expected) throws Exception {
        assertThat(WireJson.wire(op.toJson())).isEqualTo(WireJson.parse(expected));
    }

    @Test
    void insertWithUuidName() throws Exception {
        assertJson(new Operation.Insert("Interface", Row.builder().put("name", "gw0").put("type", "internal")
                        .putStringMap("options", Map.of()).build(), "new_iface"),
                """
                {"op":"insert","table":"Interface",
                 "row":{"name":"gw0","type":"internal","options":["map",[]]},
                 "uuid-name":"new_iface"}""");
        assertJson(new Operation.Insert("Controller", Row.builder().put("target", "unix:/x").build()),
                "{\"op\":\"insert\",\"table\":\"Controller\",\"row\":{\"target\":\"unix:/x\"}}");
    }

    @Test
    void insertReferringToAnEarlierRowByNamedUuid() throws Exception {
        Operation.Insert iface = new Operation.Insert("Interface", Row.builder().put("name", "p1").build(), "i1");
        assertJson(new Operation.Insert("Port", Row.builder().put("name", "p1")
                        .put("interfaces", OvsdbSet.of(iface.namedUuid())).build(), "p1row"),
                """
                {"op":"insert","table":"Port",
                 "row":{"name":"p1","interfaces":["set",[["named-uuid","i1"]]]},
                 "uuid-name":"p1row"}""");
    }

    @Test
    void select() throws Exception {
        assertJson(new Operation.Select("Bridge", List.of(Condition.eq("name", "br-int")), List.of("_uuid", "ports")),
                """
                {"op":"select","table":"Bridge","where":[["name","==","br-int"]],"columns":["_uuid","ports"]}""");
        assertJson(new Operation.Select("Open_vSwitch", List.of()),
                "{\"op\":\"select\",\"table\":\"Open_vSwitch\",\"where\":[]}");
    }

    @Test
    void update() throws Exception {
        assertJson(new Operation.Update("Bridge", List.of(Condition.eq("_uuid", BR)),
                        Row.builder().put("datapath_type", "netdev").build()),
                """
                {"op":"update","table":"Bridge","where":[["_uuid","==",["uuid","0b6d4e0a-7d1f-4bb0-8a59-9e0f2c3b4d5e"]]],
                 "row":{"datapath_type":"netdev"}}""");
    }

    @Test
    void mutateWithEveryMutator() throws Exception {
        assertJson(new Operation.Mutate("Open_vSwitch", List.of(), List.of(
                        Mutation.insert("bridges", OvsdbSet.of(new NamedUuid("br"))),
                        Mutation.delete("external_ids", OvsdbSet.of(Atom.of("k"))),
                        new Mutation("next_cfg", Mutation.Mutator.ADD, Atom.of(1)),
                        new Mutation("n", Mutation.Mutator.SUBTRACT, Atom.of(2)),
                        new Mutation("n", Mutation.Mutator.MULTIPLY, Atom.of(3)),
                        new Mutation("n", Mutation.Mutator.DIVIDE, Atom.of(4)),
                        new Mutation("n", Mutation.Mutator.MODULO, Atom.of(5)))),
                """
                {"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[
                  ["bridges","insert",["set",[["named-uuid","br"]]]],
                  ["external_ids","delete",["set",["k"]]],
                  ["next_cfg","+=",1],["n","-=",2],["n","*=",3],["n","/=",4],["n","%=",5]]}""");
    }

    @Test
    void deleteWithEveryConditionFunction() throws Exception {
        assertJson(new Operation.Delete("T", List.of(
                        new Condition.Compare("a", Condition.Function.LT, Atom.of(1)),
                        new Condition.Compare("a", Condition.Function.LE, Atom.of(2)),
                        new Condition.Compare("a", Condition.Function.EQ, Atom.of(3)),
                        new Condition.Compare("a", Condition.Function.NE, Atom.of(4)),
                        new Condition.Compare("a", Condition.Function.GE, Atom.of(5)),
                        new Condition.Compare("a", Condition.Function.GT, Atom.of(6)),
                        Condition.includes("s", OvsdbSet.of(Atom.of("x"))),
                        Condition.excludes("m", OvsdbMap.ofStrings(Map.of("k", "v"))))),
                """
                {"op":"delete","table":"T","where":[["a","<",1],["a","<=",2],["a","==",3],["a","!=",4],
                  ["a",">=",5],["a",">",6],["s","includes",["set",["x"]]],["m","excludes",["map",[["k","v"]]]]]}""");
    }

    @Test
    void waitWithAndWithoutTimeout() throws Exception {
        assertJson(new Operation.Wait("Bridge", List.of(Condition.eq("name", "br0")), List.of("name"),
                        Operation.Wait.Until.NOT_EQUAL, List.of(), Optional.of(Duration.ZERO)),
                """
                {"op":"wait","timeout":0,"table":"Bridge","where":[["name","==","br0"]],"columns":["name"],
                 "until":"!=","rows":[]}""");
        assertJson(new Operation.Wait("Interface", List.of(), List.of("ofport"), Operation.Wait.Until.EQUAL,
                        List.of(Row.builder().put("ofport", 5).build()), Optional.empty()),
                """
                {"op":"wait","table":"Interface","where":[],"columns":["ofport"],"until":"==","rows":[{"ofport":5}]}""");
    }

    @Test
    void commitAbortCommentAssert() throws Exception {
        assertJson(new Operation.Commit(true), "{\"op\":\"commit\",\"durable\":true}");
        assertJson(new Operation.Abort(), "{\"op\":\"abort\"}");
        assertJson(new Operation.Comment("trellis: add br0"), "{\"op\":\"comment\",\"comment\":\"trellis: add br0\"}");
        assertJson(new Operation.Assert("lock1"), "{\"op\":\"assert\",\"lock\":\"lock1\"}");
    }

    @Test
    void transactParamsStartWithTheDatabase() throws Exception {
        JsonNode params = OvsdbClient.transactParams("Open_vSwitch",
                List.of(new Operation.Comment("x"), new Operation.Abort()));
        assertThat(WireJson.wire(params)).isEqualTo(MAPPER.readTree(
                "[\"Open_vSwitch\",{\"op\":\"comment\",\"comment\":\"x\"},{\"op\":\"abort\"}]"));
    }

    @Test
    void monitorRequestsGroupByTableAndCarryWhereOnlyForMonitorCond() throws Exception {
        List<MonitorRequest> requests = List.of(
                MonitorRequest.of("Interface", List.of("name", "ofport")).withWhere(List.of(Condition.eq("name", "p1"))),
                new MonitorRequest("Bridge", List.of(), List.of(), new MonitorRequest.Select(true, true, false, false)),
                MonitorRequest.of("Port", List.of("name")),
                MonitorRequest.of("Port", List.of("tag")));
        assertThat(WireJson.wire(OvsdbClient.monitorRequestsJson(requests, true))).isEqualTo(MAPPER.readTree("""
                {"Interface":{"columns":["name","ofport"],"where":[["name","==","p1"]]},
                 "Bridge":{"select":{"initial":true,"insert":true,"delete":false,"modify":false}},
                 "Port":[{"columns":["name"]},{"columns":["tag"]}]}"""));
        assertThat(WireJson.wire(OvsdbClient.monitorRequestsJson(requests.subList(0, 1), false)))
                .isEqualTo(MAPPER.readTree("{\"Interface\":{\"columns\":[\"name\",\"ofport\"]}}"));
    }
}
