package io.trellis.ovs.ovsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransactResultTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String U1 = "11111111-2222-3333-4444-555555555555";

    private final List<Operation> ops = List.of(
            new Operation.Insert("Interface", Row.builder().put("name", "p1").build(), "i"),
            new Operation.Select("Bridge", List.of(Condition.eq("name", "br0"))),
            new Operation.Mutate("Bridge", List.of(), List.of()),
            new Operation.Comment("c"));

    @Test
    void successGivesTypedResults() throws Exception {
        TransactResult r = TransactResult.fromJson("Open_vSwitch", ops, MAPPER.readTree("""
                [{"uuid":["uuid","%s"]},{"rows":[{"name":"br0","ports":["set",[]]}]},{"count":1},{}]""".formatted(U1)));
        assertThat(r.insertedUuid(0)).isEqualTo(Uuid.parse(U1));
        assertThat(r.insertedUuid("i")).isEqualTo(Uuid.parse(U1));
        assertThat(r.rows(1)).singleElement().satisfies(row -> assertThat(row.getString("name")).isEqualTo("br0"));
        assertThat(r.count(2)).isEqualTo(1);
        assertThat(r.get(3)).isEqualTo(new OperationResult.Empty());
        assertThatThrownBy(() -> r.count(0)).hasMessageContaining("operation 0 (insert)");
    }

    @Test
    void anOperationErrorNamesTheOperation() throws Exception {
        OvsdbTransactionException e = catchThrowableOfType(OvsdbTransactionException.class, () ->
                TransactResult.fromJson("Open_vSwitch", ops, MAPPER.readTree("""
                        [{"uuid":["uuid","%s"]},{"error":"unknown column","details":"no column xyz in table Bridge"},null,null]"""
                        .formatted(U1))));
        assertThat(e.operationIndex()).isEqualTo(1);
        assertThat(e.op()).isEqualTo("select");
        assertThat(e.table()).contains("Bridge");
        assertThat(e.error()).isEqualTo("unknown column");
        assertThat(e.details()).contains("no column xyz in table Bridge");
        assertThat(e).hasMessage("OVSDB transaction on Open_vSwitch failed at operation 1 (select Bridge): "
                + "unknown column: no column xyz in table Bridge");
    }

    @Test
    void aCommitErrorFollowsTheResultsAsAnExtraElement() throws Exception {
        // RFC 7047 4.1.3: all operations succeeded but the commit failed.
        OvsdbTransactionException e = catchThrowableOfType(OvsdbTransactionException.class, () ->
                TransactResult.fromJson("Open_vSwitch", ops, MAPPER.readTree("""
                        [{"uuid":["uuid","%s"]},{"rows":[]},{"count":0},{},
                         {"error":"referential integrity violation","details":"cannot delete Bridge row"}]"""
                        .formatted(U1))));
        assertThat(e.operationIndex()).isEqualTo(4);
        assertThat(e.operation()).isEmpty();
        assertThat(e.op()).isEqualTo("commit");
        assertThat(e.error()).isEqualTo("referential integrity violation");
        assertThat(e).hasMessageContaining("failed at commit after 4 operations")
                .hasMessageContaining("cannot delete Bridge row");
    }

    @Test
    void malformedResultsAreProtocolErrors() throws Exception {
        assertThatThrownBy(() -> TransactResult.fromJson("db", ops, MAPPER.readTree("{}")))
                .isInstanceOf(OvsdbProtocolException.class).hasMessageContaining("array");
        assertThatThrownBy(() -> TransactResult.fromJson("db", ops, MAPPER.readTree("[{\"uuid\":5},{},{},{}]")))
                .isInstanceOf(OvsdbProtocolException.class).hasMessageContaining("transact result[0]");
        assertThatThrownBy(() -> TransactResult.fromJson("db", ops,
                MAPPER.readTree("[{\"uuid\":[\"uuid\",\"" + U1 + "\"]},{\"rows\":[]},{\"count\":\"x\"},{}]")))
                .isInstanceOf(OvsdbProtocolException.class).hasMessageContaining("count");
        assertThatThrownBy(() -> TransactResult.fromJson("db", ops, MAPPER.readTree("[]")))
                .isInstanceOf(OvsdbProtocolException.class).hasMessageContaining("0 elements for 4 operations");
    }
}
