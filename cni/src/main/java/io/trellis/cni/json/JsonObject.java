package io.trellis.cni.json;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Typed, path-aware read access to a parsed JSON object. Every failed access throws a
 * {@link JsonFieldException} naming the full path of the member and what was found there, so the
 * error a runtime sees reads like {@code field 'prevResult.ips[1].address': expected a string, got 5}.
 */
public final class JsonObject {
    private final Map<String, Object> members;
    private final String path;

    public JsonObject(Map<String, Object> members, String path) {
        this.members = Collections.unmodifiableMap(requireNonNull(members, "members"));
        this.path = requireNonNull(path, "path");
    }

    /** Parses {@code text}, which must hold a JSON object; {@code what} names it in errors. */
    public static JsonObject parse(String text, String what) {
        Object value = JsonReader.parse(text);
        if (!(value instanceof Map)) {
            throw new JsonFieldException(what, "expected a JSON object, got " + describe(value));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        return new JsonObject(map, "");
    }

    public Map<String, Object> members() {
        return members;
    }

    public String path() {
        return path;
    }

    public boolean has(String key) {
        return members.containsKey(key) && members.get(key) != null;
    }

    /** The path of a member, for error messages. */
    public String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public Optional<String> optString(String key) {
        Object v = members.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String)) {
            throw new JsonFieldException(pathOf(key), "expected a string, got " + describe(v));
        }
        return Optional.of((String) v);
    }

    public String requireString(String key) {
        return optString(key).orElseThrow(() -> new JsonFieldException(pathOf(key), "is required"));
    }

    public OptionalInt optInt(String key) {
        Object v = members.get(key);
        if (v == null) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(toInt(v, pathOf(key)));
    }

    public Optional<Boolean> optBoolean(String key) {
        Object v = members.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Boolean)) {
            throw new JsonFieldException(pathOf(key), "expected true or false, got " + describe(v));
        }
        return Optional.of((Boolean) v);
    }

    public Optional<JsonObject> optObject(String key) {
        Object v = members.get(key);
        if (v == null) {
            return Optional.empty();
        }
        return Optional.of(asObject(v, pathOf(key)));
    }

    /** The list under {@code key}, empty when absent or null. */
    public List<Object> optArray(String key) {
        Object v = members.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List)) {
            throw new JsonFieldException(pathOf(key), "expected an array, got " + describe(v));
        }
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) v;
        return list;
    }

    /** The objects of the array under {@code key}, each with its indexed path. */
    public List<JsonObject> optObjects(String key) {
        List<Object> raw = optArray(key);
        List<JsonObject> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            out.add(asObject(raw.get(i), pathOf(key) + "[" + i + "]"));
        }
        return out;
    }

    /** The strings of the array under {@code key}. */
    public List<String> optStrings(String key) {
        List<Object> raw = optArray(key);
        List<String> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            Object v = raw.get(i);
            if (!(v instanceof String)) {
                throw new JsonFieldException(pathOf(key) + "[" + i + "]", "expected a string, got " + describe(v));
            }
            out.add((String) v);
        }
        return List.copyOf(out);
    }

    public static JsonObject asObject(Object v, String path) {
        if (!(v instanceof Map)) {
            throw new JsonFieldException(path, "expected an object, got " + describe(v));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) v;
        return new JsonObject(map, path);
    }

    private static int toInt(Object v, String path) {
        if (v instanceof Long) {
            long l = (Long) v;
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return (int) l;
            }
        } else if (v instanceof BigDecimal) {
            try {
                return ((BigDecimal) v).intValueExact();
            } catch (ArithmeticException notAnInt) {
                throw new JsonFieldException(path, "expected an integer, got " + describe(v));
            }
        }
        if (v instanceof Number) {
            throw new JsonFieldException(path, "integer out of range: " + describe(v));
        }
        throw new JsonFieldException(path, "expected an integer, got " + describe(v));
    }

    /** A short rendering of a value for error messages: its JSON, shortened when long. */
    public static String describe(Object v) {
        String json = JsonWriter.write(v);
        String kind;
        if (v == null) {
            return "null";
        } else if (v instanceof String) {
            kind = "string ";
        } else if (v instanceof Map) {
            kind = "object ";
        } else if (v instanceof List) {
            kind = "array ";
        } else if (v instanceof Boolean) {
            kind = "";
        } else {
            kind = "number ";
        }
        return kind + (json.length() > 80 ? json.substring(0, 77) + "..." : json);
    }
}
