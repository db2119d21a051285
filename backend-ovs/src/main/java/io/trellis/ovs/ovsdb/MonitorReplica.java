package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rows one monitor has seen, kept to turn {@code <table-updates>} (RFC 7047 section 4.1.6) and
 * {@code <table-updates2>} (ovsdb-server(7), "update2") into {@link RowUpdate}s with complete old
 * and new rows. update2 sends only a diff for modified set and map columns, so applying it needs
 * the column types from the schema. Mutated by one thread at a time (the channel's event loop);
 * readable from any thread.
 */
final class MonitorReplica {

    private final boolean update2;
    private final Map<String, Set<String>> monitoredColumns = new LinkedHashMap<>();
    private final Map<String, Map<Uuid, Row>> tables = new ConcurrentHashMap<>();
    private volatile Optional<DatabaseSchema> schema = Optional.empty();

    /**
     * @param requests the monitor's requests: their columns are the ones update2 may leave out of
     *                 initial and inserted rows when they hold the default value
     */
    MonitorReplica(boolean update2, List<MonitorRequest> requests) {
        this.update2 = update2;
        for (MonitorRequest r : requests) {
            Set<String> columns = monitoredColumns.computeIfAbsent(r.table(), t -> new LinkedHashSet<>());
            columns.addAll(r.columns());
        }
    }

    void schema(DatabaseSchema databaseSchema) {
        this.schema = Optional.of(databaseSchema);
    }

    Map<Uuid, Row> rows(String table) {
        return Map.copyOf(tables.getOrDefault(table, Map.of()));
    }

    /** A monitor's reply: every row is an initial row; forgets what was known before. */
    List<RowUpdate> applySnapshot(JsonNode tableUpdates) {
        tables.clear();
        return apply(tableUpdates, true);
    }

    /** An "update"/"update2" notification's table updates. */
    List<RowUpdate> applyChange(JsonNode tableUpdates) {
        return apply(tableUpdates, false);
    }

    private List<RowUpdate> apply(JsonNode tableUpdates, boolean snapshot) {
        if (tableUpdates == null || !tableUpdates.isObject()) {
            throw new OvsdbProtocolException("table-updates must be an object, got " + tableUpdates);
        }
        List<RowUpdate> out = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> tableIt = tableUpdates.properties().iterator();
        while (tableIt.hasNext()) {
            Map.Entry<String, JsonNode> table = tableIt.next();
            if (!table.getValue().isObject()) {
                throw new OvsdbProtocolException("table-update for " + table.getKey() + " must be an object, got "
                        + table.getValue());
            }
            Map<Uuid, Row> rows = tables.computeIfAbsent(table.getKey(), t -> new ConcurrentHashMap<>());
            Iterator<Map.Entry<String, JsonNode>> rowIt = table.getValue().properties().iterator();
            while (rowIt.hasNext()) {
                Map.Entry<String, JsonNode> row = rowIt.next();
                String where = table.getKey() + " row " + row.getKey();
                Uuid uuid;
                try {
                    uuid = Uuid.parse(row.getKey());
                } catch (IllegalArgumentException e) {
                    throw new OvsdbProtocolException(where + ": row key is not a uuid", e);
                }
                RowUpdate update = update2
                        ? apply2(table.getKey(), uuid, row.getValue(), rows, snapshot, where)
                        : apply1(table.getKey(), uuid, row.getValue(), rows, snapshot, where);
                out.add(update);
            }
        }
        return out;
    }

    /** RFC 7047 {@code <row-update>}: {"old": row, "new": row}; for a modify, "old" holds only the changed columns. */
    private RowUpdate apply1(String table, Uuid uuid, JsonNode json, Map<Uuid, Row> rows, boolean snapshot,
                             String where) {
        Optional<Row> oldPart = optionalRow(json.get("old"), where + ".old");
        Optional<Row> newRow = optionalRow(json.get("new"), where + ".new").map(r -> withUuid(r, uuid));
        Row known = rows.get(uuid);
        if (newRow.isEmpty()) {
            rows.remove(uuid);
            Row old = known != null ? known : withUuid(oldPart.orElseThrow(() ->
                    new OvsdbProtocolException(where + ": row-update has neither \"old\" nor \"new\"")), uuid);
            return new RowUpdate(table, uuid, RowUpdate.Kind.DELETE, Optional.of(old), Optional.empty());
        }
        rows.put(uuid, newRow.get());
        if (snapshot) {
            return new RowUpdate(table, uuid, RowUpdate.Kind.INITIAL, Optional.empty(), newRow);
        }
        if (oldPart.isEmpty()) {
            return new RowUpdate(table, uuid, RowUpdate.Kind.INSERT, Optional.empty(), newRow);
        }
        Row old = known != null ? known : newRow.get().merge(oldPart.get());
        return new RowUpdate(table, uuid, RowUpdate.Kind.MODIFY, Optional.of(old), newRow);
    }

    /** ovsdb-server(7) {@code <row-update2>}: exactly one of initial, insert, delete, modify. */
    private RowUpdate apply2(String table, Uuid uuid, JsonNode json, Map<Uuid, Row> rows, boolean snapshot,
                             String where) {
        if (!json.isObject() || json.size() != 1) {
            throw new OvsdbProtocolException(where + ": row-update2 must have exactly one member, got " + json);
        }
        Map.Entry<String, JsonNode> only = json.properties().iterator().next();
        Row known = rows.get(uuid);
        switch (only.getKey()) {
            case "initial", "insert" -> {
                Row row = withDefaults(table, withUuid(Row.fromJson(only.getValue(), where + "." + only.getKey()), uuid),
                        where);
                rows.put(uuid, row);
                RowUpdate.Kind kind = snapshot || only.getKey().equals("initial")
                        ? RowUpdate.Kind.INITIAL : RowUpdate.Kind.INSERT;
                return new RowUpdate(table, uuid, kind, Optional.empty(), Optional.of(row));
            }
            case "delete" -> {
                rows.remove(uuid);
                Row old = known != null ? known : Row.builder().put("_uuid", uuid).build();
                return new RowUpdate(table, uuid, RowUpdate.Kind.DELETE, Optional.of(old), Optional.empty());
            }
            case "modify" -> {
                if (known == null) {
                    throw new OvsdbProtocolException(where + ": \"modify\" for a row this monitor never saw");
                }
                Row diff = Row.fromJson(only.getValue(), where + ".modify");
                Row updated = applyDiff(table, known, diff, where);
                rows.put(uuid, updated);
                return new RowUpdate(table, uuid, RowUpdate.Kind.MODIFY, Optional.of(known), Optional.of(updated));
            }
            default -> throw new OvsdbProtocolException(where + ": unknown row-update2 member \"" + only.getKey() + "\"");
        }
    }

    /**
     * ovsdb-server leaves columns that hold their default value out of update2 "initial" and
     * "insert" rows; put them back so listeners see every monitored column.
     */
    private Row withDefaults(String table, Row row, String where) {
        DatabaseSchema s = schema.orElseThrow(() ->
                new IllegalStateException("update2 row " + where + " needs the database schema"));
        DatabaseSchema.TableSchema tableSchema = s.table(table).orElseThrow(() ->
                new OvsdbProtocolException(where + ": table not in schema " + s.name()));
        Set<String> wanted = monitoredColumns.getOrDefault(table, Set.of());
        Iterable<String> columns = wanted.isEmpty() ? tableSchema.columns().keySet() : wanted;
        LinkedHashMap<String, Value> filled = new LinkedHashMap<>(row.columns());
        for (String column : columns) {
            if (!filled.containsKey(column)) {
                tableSchema.column(column).ifPresent(type -> filled.put(column, type.defaultValue()));
            }
        }
        return new Row(filled);
    }

    private Row applyDiff(String table, Row old, Row diff, String where) {
        DatabaseSchema s = schema.orElseThrow(() ->
                new IllegalStateException("update2 diff for " + where + " needs the database schema"));
        DatabaseSchema.TableSchema tableSchema = s.table(table).orElseThrow(() ->
                new OvsdbProtocolException(where + ": table not in schema " + s.name()));
        LinkedHashMap<String, Value> columns = new LinkedHashMap<>(old.columns());
        diff.columns().forEach((column, change) -> {
            DatabaseSchema.ColumnType type = tableSchema.column(column).orElseThrow(() ->
                    new OvsdbProtocolException(where + ": column '" + column + "' not in schema"));
            Value before = columns.get(column);
            columns.put(column, type.isComposite() ? applyComposite(type, before, change, where + "." + column) : change);
        });
        return new Row(columns);
    }

    /**
     * A set diff holds the elements to toggle (symmetric difference); a map diff holds pairs to
     * add, pairs to remove (same key and value as before) and new values for existing keys.
     */
    static Value applyComposite(DatabaseSchema.ColumnType type, Value before, Value diff, String where) {
        if (type.isMap()) {
            Map<Atom, Atom> entries = new LinkedHashMap<>(before == null ? Map.of() : asMap(before, where).entries());
            asMap(diff, where).entries().forEach((k, v) -> {
                if (v.equals(entries.get(k))) {
                    entries.remove(k);
                } else {
                    entries.put(k, v);
                }
            });
            return new OvsdbMap(entries);
        }
        Set<Atom> elements = new LinkedHashSet<>(before == null ? Set.of() : asSet(before, where).elements());
        for (Atom a : asSet(diff, where).elements()) {
            if (!elements.remove(a)) {
                elements.add(a);
            }
        }
        return new OvsdbSet(elements);
    }

    private static OvsdbMap asMap(Value v, String where) {
        if (v instanceof OvsdbMap m) {
            return m;
        }
        if (v instanceof OvsdbSet s && s.isEmpty()) {
            return OvsdbMap.empty();
        }
        throw new OvsdbProtocolException(where + ": expected a map, got " + v);
    }

    private static OvsdbSet asSet(Value v, String where) {
        if (v instanceof OvsdbSet s) {
            return s;
        }
        if (v instanceof Atom a) {
            return OvsdbSet.of(a);
        }
        throw new OvsdbProtocolException(where + ": expected a set, got " + v);
    }

    private static Optional<Row> optionalRow(JsonNode json, String where) {
        return json == null || json.isNull() ? Optional.empty() : Optional.of(Row.fromJson(json, where));
    }

    /** Rows in updates are keyed by uuid and need not carry _uuid; listeners get it in the row as well. */
    private static Row withUuid(Row row, Uuid uuid) {
        requireNonNull(uuid, "uuid");
        return row.has("_uuid") ? row : Row.builder().put("_uuid", uuid).build().merge(row);
    }
}
