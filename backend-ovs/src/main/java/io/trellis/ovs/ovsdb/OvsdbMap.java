package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An OVSDB map, {@code ["map", [[key, value]...]]} (RFC 7047 section 5.1). Iteration keeps the wire
 * order; equality is map equality.
 */
public record OvsdbMap(Map<Atom, Atom> entries) implements Value {

    public OvsdbMap {
        requireNonNull(entries, "entries");
        entries.forEach((k, v) -> {
            requireNonNull(k, "map key");
            requireNonNull(v, "map value for key " + k);
        });
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    public static OvsdbMap empty() {
        return new OvsdbMap(Map.of());
    }

    /** A string-to-string map, the type of {@code options}, {@code external_ids} and {@code other_config}. */
    public static OvsdbMap ofStrings(Map<String, String> strings) {
        requireNonNull(strings, "strings");
        LinkedHashMap<Atom, Atom> entries = new LinkedHashMap<>();
        strings.forEach((k, v) -> entries.put(Atom.of(k), Atom.of(v)));
        return new OvsdbMap(entries);
    }

    /** The entries as strings; fails naming the entry when a key or value is not a string. */
    public Map<String, String> toStringMap() {
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        entries.forEach((k, v) -> {
            if (!(k instanceof Atom.Str key) || !(v instanceof Atom.Str value)) {
                throw new IllegalStateException("map entry " + k + "=" + v + " is not string->string");
            }
            out.put(key.value(), value.value());
        });
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        return "map" + entries;
    }
}
