package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An OVSDB {@code <row>} (RFC 7047 section 5.1): column name to value, possibly a subset of the
 * table's columns. Rows read from the server carry {@code _uuid} (and usually {@code _version}).
 * Typed accessors accept the bare-atom form of one-element sets.
 */
public record Row(Map<String, Value> columns) {

    public Row {
        requireNonNull(columns, "columns");
        columns.forEach((k, v) -> {
            requireNonNull(k, "column name");
            requireNonNull(v, "value of column " + k);
        });
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    }

    public static Builder builder() {
        return new Builder();
    }

    public static Row fromJson(JsonNode json, String where) {
        if (json == null || !json.isObject()) {
            throw new OvsdbProtocolException(where + ": a row must be a JSON object, got " + json);
        }
        LinkedHashMap<String, Value> columns = new LinkedHashMap<>();
        json.properties().forEach(e ->
                columns.put(e.getKey(), ValueCodec.fromJson(e.getValue(), where + "." + e.getKey())));
        return new Row(columns);
    }

    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        columns.forEach((k, v) -> node.set(k, ValueCodec.toJson(v)));
        return node;
    }

    public boolean has(String column) {
        return columns.containsKey(column);
    }

    public Optional<Value> get(String column) {
        return Optional.ofNullable(columns.get(column));
    }

    public Value require(String column) {
        Value v = columns.get(column);
        if (v == null) {
            throw new IllegalStateException("row has no column '" + column + "' (columns: " + columns.keySet() + ")");
        }
        return v;
    }

    /** The row's {@code _uuid}. */
    public Uuid uuid() {
        return getUuid("_uuid");
    }

    public String getString(String column) {
        return atom(column, Atom.Str.class).value();
    }

    public long getInteger(String column) {
        return atom(column, Atom.Int.class).value();
    }

    public boolean getBoolean(String column) {
        return atom(column, Atom.Bool.class).value();
    }

    public Uuid getUuid(String column) {
        return atom(column, Uuid.class);
    }

    /** The column as a set; a bare atom counts as a one-element set. */
    public OvsdbSet getSet(String column) {
        Value v = require(column);
        if (v instanceof OvsdbSet set) {
            return set;
        }
        if (v instanceof Atom atom) {
            return OvsdbSet.of(atom);
        }
        throw new IllegalStateException("column '" + column + "' is a map, not a set: " + v);
    }

    public OvsdbMap getMap(String column) {
        Value v = require(column);
        if (v instanceof OvsdbMap map) {
            return map;
        }
        // An empty map may be written as an empty set by a loose peer.
        if (v instanceof OvsdbSet set && set.isEmpty()) {
            return OvsdbMap.empty();
        }
        throw new IllegalStateException("column '" + column + "' is not a map: " + v);
    }

    public Map<String, String> getStringMap(String column) {
        return getMap(column).toStringMap();
    }

    public Set<String> getStringSet(String column) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (Atom a : getSet(column).elements()) {
            if (!(a instanceof Atom.Str s)) {
                throw new IllegalStateException("column '" + column + "' holds non-string " + a);
            }
            out.add(s.value());
        }
        return Collections.unmodifiableSet(out);
    }

    public Set<Uuid> getUuidSet(String column) {
        LinkedHashSet<Uuid> out = new LinkedHashSet<>();
        for (Atom a : getSet(column).elements()) {
            if (!(a instanceof Uuid u)) {
                throw new IllegalStateException("column '" + column + "' holds non-uuid " + a);
            }
            out.add(u);
        }
        return Collections.unmodifiableSet(out);
    }

    /** An optional column (a set of 0 or 1 element, RFC 7047 "min": 0, "max": 1) as an Optional atom. */
    public Optional<Atom> getOptional(String column) {
        Set<Atom> elements = getSet(column).elements();
        if (elements.size() > 1) {
            throw new IllegalStateException("column '" + column + "' has " + elements.size() + " elements, expected 0 or 1");
        }
        return elements.stream().findFirst();
    }

    public Optional<String> getOptionalString(String column) {
        return getOptional(column).map(a -> cast(column, a, Atom.Str.class).value());
    }

    public Optional<Long> getOptionalInteger(String column) {
        return getOptional(column).map(a -> cast(column, a, Atom.Int.class).value());
    }

    /** This row with {@code other}'s columns replacing or adding to its own. */
    public Row merge(Row other) {
        LinkedHashMap<String, Value> merged = new LinkedHashMap<>(columns);
        merged.putAll(other.columns);
        return new Row(merged);
    }

    /** Only the given columns, those present. */
    public Row select(Collection<String> names) {
        LinkedHashMap<String, Value> out = new LinkedHashMap<>();
        names.forEach(n -> {
            if (columns.containsKey(n)) {
                out.put(n, columns.get(n));
            }
        });
        return new Row(out);
    }

    private <T extends Atom> T atom(String column, Class<T> type) {
        Value v = require(column);
        if (v instanceof OvsdbSet set && set.elements().size() == 1) {
            v = set.elements().iterator().next();
        }
        return cast(column, v, type);
    }

    private static <T> T cast(String column, Value v, Class<T> type) {
        if (!type.isInstance(v)) {
            throw new IllegalStateException("column '" + column + "' is " + v + ", expected " + type.getSimpleName());
        }
        return type.cast(v);
    }

    @Override
    public String toString() {
        return columns.toString();
    }

    /** Builds a row column by column; plain Java values are wrapped as atoms. */
    public static final class Builder {
        private final LinkedHashMap<String, Value> columns = new LinkedHashMap<>();

        public Builder put(String column, Value value) {
            columns.put(requireNonNull(column, "column"), requireNonNull(value, "value"));
            return this;
        }

        public Builder put(String column, String value) {
            return put(column, Atom.of(value));
        }

        public Builder put(String column, long value) {
            return put(column, Atom.of(value));
        }

        public Builder put(String column, boolean value) {
            return put(column, Atom.of(value));
        }

        public Builder putStringMap(String column, Map<String, String> map) {
            return put(column, OvsdbMap.ofStrings(map));
        }

        public Builder putStringSet(String column, Collection<String> set) {
            return put(column, OvsdbSet.ofStrings(set));
        }

        public Row build() {
            return new Row(columns);
        }
    }
}
