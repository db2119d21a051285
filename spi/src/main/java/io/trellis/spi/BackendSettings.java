package io.trellis.spi;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A backend's own configuration section: a read-only tree of YAML values whose leaves are
 * {@link String}, {@link Long}, {@link Double} or {@link Boolean}, with lists and nested sections.
 * The agent does not know its schema; the backend reads it with the typed accessors, which throw
 * {@link BackendConfigException} naming the setting's full path and the value when the type is
 * wrong, so a backend needs no validation code of its own for types.
 *
 * <p>Immutable and safe to share between threads.
 */
public final class BackendSettings {

    private final String path;
    private final Map<String, Object> values;

    private BackendSettings(String path, Map<String, Object> values) {
        this.path = path;
        this.values = values;
    }

    /** An empty section at {@code path} (a backend configured without settings). */
    public static BackendSettings empty(String path) {
        return new BackendSettings(requireNonNull(path, "path"), Map.of());
    }

    /**
     * A section holding a copy of {@code values} (as parsed from YAML: maps, lists, strings,
     * numbers, booleans). Integral numbers become {@link Long}; anything else (a null, a date, a
     * number too large for a long, a map with a non-string key) is rejected with a
     * {@link BackendConfigException} naming its path.
     */
    public static BackendSettings of(String path, Map<?, ?> values) {
        requireNonNull(path, "path");
        requireNonNull(values, "values");
        return section(path, values);
    }

    /** The section's path in the configuration, e.g. {@code settings.host-local}. */
    public String path() {
        return path;
    }

    /** The keys present, in file order. */
    public Set<String> keys() {
        return values.keySet();
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The raw value: a String, Long, Double, Boolean, List of those, or BackendSettings. */
    public Optional<Object> raw(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public Optional<String> string(String key) {
        return typed(key, String.class, "a string");
    }

    /** The string at {@code key}; throws naming the path when it is absent. */
    public String requireString(String key) {
        return string(key).orElseThrow(() -> missing(key));
    }

    public OptionalLong integer(String key) {
        Optional<Long> value = typed(key, Long.class, "an integer");
        return value.isPresent() ? OptionalLong.of(value.get()) : OptionalLong.empty();
    }

    /** The integer at {@code key}, checked to be within {@code min..max}. */
    public OptionalLong integer(String key, long min, long max) {
        OptionalLong value = integer(key);
        if (value.isPresent() && (value.getAsLong() < min || value.getAsLong() > max)) {
            throw new BackendConfigException(path + "." + key + ": must be " + min + ".." + max + ", got "
                    + value.getAsLong());
        }
        return value;
    }

    public Optional<Boolean> bool(String key) {
        return typed(key, Boolean.class, "a boolean");
    }

    public Optional<BackendSettings> section(String key) {
        return typed(key, BackendSettings.class, "a section (key: value lines)");
    }

    /** The list of strings at {@code key}; empty when absent. */
    public List<String> stringList(String key) {
        Optional<List<?>> list = typed(key, List.class, "a list").map(l -> (List<?>) l);
        if (list.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.get().size(); i++) {
            Object item = list.get().get(i);
            if (!(item instanceof String s)) {
                throw new BackendConfigException(path + "." + key + "[" + i + "]: expected a string, got "
                        + describe(item));
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    /** A plain-map view (sections as nested maps), for backends that bind settings with their own tools. */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, plain(v)));
        return Collections.unmodifiableMap(out);
    }

    private <T> Optional<T> typed(String key, Class<T> type, String expected) {
        Object value = values.get(requireNonNull(key, "key"));
        if (value == null) {
            return Optional.empty();
        }
        if (!type.isInstance(value)) {
            throw new BackendConfigException(path + "." + key + ": expected " + expected + ", got " + describe(value));
        }
        return Optional.of(type.cast(value));
    }

    private BackendConfigException missing(String key) {
        return new BackendConfigException(path + "." + key + ": required, but not set");
    }

    private static BackendSettings section(String path, Map<?, ?> raw) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : raw.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new BackendConfigException(path + ": keys must be strings, got " + describe(e.getKey()));
            }
            out.put(key, convert(path + "." + key, e.getValue()));
        }
        return new BackendSettings(path, Collections.unmodifiableMap(out));
    }

    private static Object convert(String path, Object value) {
        if (value instanceof String || value instanceof Boolean || value instanceof Long || value instanceof Double) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof Map<?, ?> map) {
            return section(path, map);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                out.add(convert(path + "[" + i + "]", list.get(i)));
            }
            return Collections.unmodifiableList(out);
        }
        if (value == null) {
            throw new BackendConfigException(path + ": has no value");
        }
        throw new BackendConfigException(path + ": unsupported value " + describe(value)
                + " (expected a string, number, boolean, list or section; quote it to make it a string)");
    }

    private static Object plain(Object value) {
        if (value instanceof BackendSettings s) {
            return s.toMap();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(BackendSettings::plain).toList();
        }
        return value;
    }

    static String describe(Object value) {
        if (value instanceof String s) {
            return "string '" + s + "'";
        }
        if (value instanceof Long || value instanceof Integer || value instanceof java.math.BigInteger) {
            return "integer " + value;
        }
        if (value instanceof Double) {
            return "number " + value;
        }
        if (value instanceof Boolean) {
            return "boolean " + value;
        }
        if (value instanceof BackendSettings || value instanceof Map) {
            return "a section";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof java.util.Date date) {
            return "date " + date.toInstant();
        }
        return value == null ? "nothing" : value.getClass().getSimpleName() + " " + value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackendSettings other && path.equals(other.path) && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return path.hashCode() * 31 + values.hashCode();
    }

    @Override
    public String toString() {
        return path + "=" + toMap();
    }
}
