package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A {@code <monitor-request>} for one table (RFC 7047 section 4.1.5), with the {@code where}
 * clause of {@code monitor_cond} (ovsdb-server(7)). Empty {@code columns} means all columns;
 * empty {@code where} means all rows (the member is omitted).
 */
public record MonitorRequest(String table, List<String> columns, List<Condition> where, Select select) {

    public MonitorRequest {
        requireNonNull(table, "table");
        columns = List.copyOf(columns);
        where = List.copyOf(where);
        requireNonNull(select, "select");
    }

    public static MonitorRequest allColumns(String table) {
        return new MonitorRequest(table, List.of(), List.of(), Select.ALL);
    }

    public static MonitorRequest of(String table, List<String> columns) {
        return new MonitorRequest(table, columns, List.of(), Select.ALL);
    }

    public MonitorRequest withWhere(List<Condition> conditions) {
        return new MonitorRequest(table, columns, conditions, select);
    }

    ObjectNode toJson(boolean conditional) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        if (!columns.isEmpty()) {
            ArrayNode array = json.putArray("columns");
            columns.forEach(array::add);
        }
        if (conditional && !where.isEmpty()) {
            ArrayNode array = json.putArray("where");
            where.forEach(c -> array.add(c.toJson()));
        }
        if (!select.equals(Select.ALL)) {
            json.putObject("select").put("initial", select.initial()).put("insert", select.insert())
                    .put("delete", select.delete()).put("modify", select.modify());
        }
        return json;
    }

    /** {@code <monitor-select>}: which kinds of change to report. */
    public record Select(boolean initial, boolean insert, boolean delete, boolean modify) {
        public static final Select ALL = new Select(true, true, true, true);
    }
}
