package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of a {@code <database-schema>} (RFC 7047 section 3.2) the client uses: tables, their
 * columns' types and root flags. The full JSON stays available as {@link #json()}.
 */
public record DatabaseSchema(String name, String version, Map<String, TableSchema> tables, JsonNode json) {

    public DatabaseSchema {
        requireNonNull(name, "name");
        requireNonNull(version, "version");
        tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
        requireNonNull(json, "json");
    }

    public Optional<TableSchema> table(String table) {
        return Optional.ofNullable(tables.get(table));
    }

    public TableSchema requireTable(String table) {
        return table(table).orElseThrow(() ->
                new IllegalArgumentException("database " + name + " has no table '" + table + "'"));
    }

    public static DatabaseSchema fromJson(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new OvsdbProtocolException("database schema must be an object, got " + json);
        }
        String name = text(json, "name", "schema");
        JsonNode versionNode = json.get("version");
        String version = versionNode == null ? "" : versionNode.asText();
        JsonNode tablesNode = json.get("tables");
        if (tablesNode == null || !tablesNode.isObject()) {
            throw new OvsdbProtocolException("schema " + name + ": \"tables\" must be an object, got " + tablesNode);
        }
        LinkedHashMap<String, TableSchema> tables = new LinkedHashMap<>();
        tablesNode.properties().forEach(t -> tables.put(t.getKey(), TableSchema.fromJson(t.getKey(), t.getValue())));
        return new DatabaseSchema(name, version, tables, json);
    }

    private static String text(JsonNode json, String field, String where) {
        JsonNode node = json.get(field);
        if (node == null || !node.isTextual()) {
            throw new OvsdbProtocolException(where + ": \"" + field + "\" must be a string, got " + node);
        }
        return node.asText();
    }

    /** A {@code <table-schema>}. */
    public record TableSchema(String name, Map<String, ColumnType> columns, boolean isRoot) {
        public TableSchema {
            requireNonNull(name, "name");
            columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        }

        public Optional<ColumnType> column(String column) {
            return Optional.ofNullable(columns.get(column));
        }

        static TableSchema fromJson(String name, JsonNode json) {
            JsonNode columnsNode = json.get("columns");
            if (columnsNode == null || !columnsNode.isObject()) {
                throw new OvsdbProtocolException("table " + name + ": \"columns\" must be an object, got " + columnsNode);
            }
            LinkedHashMap<String, ColumnType> columns = new LinkedHashMap<>();
            columnsNode.properties().forEach(c ->
                    columns.put(c.getKey(), ColumnType.fromJson(c.getValue().get("type"), name + "." + c.getKey())));
            return new TableSchema(name, columns, json.path("isRoot").asBoolean(false));
        }
    }

    /** A column {@code <type>}: key type, optional value type (maps), and element count bounds. */
    public record ColumnType(String keyType, Optional<String> valueType, long min, long max) {

        public static final long UNLIMITED = Long.MAX_VALUE;

        public ColumnType {
            requireNonNull(keyType, "keyType");
            requireNonNull(valueType, "valueType");
            if (min < 0 || min > 1 || max < 1 || max < min) {
                throw new IllegalArgumentException("bad column bounds min=" + min + " max=" + max);
            }
        }

        public boolean isMap() {
            return valueType.isPresent();
        }

        /** More than one element possible: a set or a map; ovsdb-server sends such columns as diffs in update2. */
        public boolean isComposite() {
            return max > 1;
        }

        /** The value a column has when nothing was written to it (RFC 7047 section 5.2.1, "insert"). */
        public Value defaultValue() {
            if (isMap()) {
                return OvsdbMap.empty();
            }
            if (min == 0) {
                return OvsdbSet.empty();
            }
            return switch (keyType) {
                case "integer" -> Atom.of(0L);
                case "real" -> Atom.of(0.0);
                case "boolean" -> Atom.of(false);
                case "uuid" -> new Uuid(new java.util.UUID(0, 0));
                default -> Atom.of("");
            };
        }

        static ColumnType fromJson(JsonNode type, String where) {
            if (type == null) {
                throw new OvsdbProtocolException(where + ": column has no \"type\"");
            }
            if (type.isTextual()) {
                return new ColumnType(type.asText(), Optional.empty(), 1, 1);
            }
            if (!type.isObject()) {
                throw new OvsdbProtocolException(where + ": bad column type " + type);
            }
            String key = baseType(type.get("key"), where + ".key");
            Optional<String> value = type.has("value") ? Optional.of(baseType(type.get("value"), where + ".value"))
                    : Optional.empty();
            long min = type.path("min").asLong(1);
            JsonNode maxNode = type.get("max");
            long max = maxNode == null ? 1 : "unlimited".equals(maxNode.asText()) ? UNLIMITED : maxNode.asLong();
            return new ColumnType(key, value, min, max);
        }

        private static String baseType(JsonNode base, String where) {
            if (base != null && base.isTextual()) {
                return base.asText();
            }
            if (base != null && base.isObject() && base.path("type").isTextual()) {
                return base.get("type").asText();
            }
            throw new OvsdbProtocolException(where + ": bad base type " + base);
        }
    }
}
