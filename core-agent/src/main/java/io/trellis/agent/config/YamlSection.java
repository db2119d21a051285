package io.trellis.agent.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One mapping of the parsed YAML with its path, reading values by type and recording a problem
 * (path, expectation, quoted value) instead of throwing, so that the loader reports every problem
 * of a file at once. Accessors return empty when the value is absent or wrong.
 */
final class YamlSection {

    /** sun_path of struct sockaddr_un is 108 bytes including the terminating NUL. */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    private final String path;
    private final Map<String, Object> values;
    private final List<String> errors;

    private YamlSection(String path, Map<String, Object> values, List<String> errors) {
        this.path = path;
        this.values = values;
        this.errors = errors;
    }

    /** The root mapping; non-string keys are reported. */
    static YamlSection root(Map<?, ?> map, List<String> errors) {
        return of("", map, errors);
    }

    private static YamlSection of(String path, Map<?, ?> map, List<String> errors) {
        Map<String, Object> values = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (k instanceof String s) {
                values.put(s, v);
            } else {
                errors.add((path.isEmpty() ? "" : path + ": ") + "keys must be strings, got " + describe(k));
            }
        });
        return new YamlSection(path, values, errors);
    }

    String path() {
        return path;
    }

    String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    Object raw(String key) {
        return values.get(key);
    }

    Set<String> keys() {
        return values.keySet();
    }

    void error(String key, String problem) {
        errors.add(pathOf(key) + ": " + problem);
    }

    /** Records a problem whose text already names its path. */
    void errorLine(String line) {
        errors.add(line);
    }

    /** Reports every key not in {@code known}, listing the known ones. */
    void rejectUnknown(List<String> known) {
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                error(key, "unknown key (known: " + String.join(", ", known) + ")");
            }
        }
    }

    Optional<YamlSection> section(String key) {
        Object value = values.get(key);
        if (value == null) {
            if (values.containsKey(key)) {
                error(key, "has no value (expected a section)");
            }
            return Optional.empty();
        }
        if (value instanceof Map<?, ?> map) {
            return Optional.of(of(pathOf(key), map, errors));
        }
        error(key, "expected a section (key: value lines), got " + describe(value));
        return Optional.empty();
    }

    /**
     * A section standing at {@code key} whose values did not come from the file but from what the
     * file's value there stands for (a preset); its errors read {@code key (origin).child: ...}.
     */
    YamlSection derived(String key, String origin, Map<String, Object> derivedValues) {
        return new YamlSection(pathOf(key) + " (" + origin + ")", new LinkedHashMap<>(derivedValues), errors);
    }

    /** The section at {@code key}, or an empty one standing for it when absent (so defaults apply). */
    YamlSection sectionOrEmpty(String key) {
        return section(key).orElseGet(() -> new YamlSection(pathOf(key), Map.of(), errors));
    }

    Optional<String> string(String key) {
        Object value = values.get(key);
        if (value == null) {
            if (values.containsKey(key)) {
                error(key, "has no value (expected a string)");
            }
            return Optional.empty();
        }
        if (value instanceof String s) {
            return Optional.of(s);
        }
        error(key, "expected a string, got " + describe(value));
        return Optional.empty();
    }

    /**
     * The string at {@code key}, or {@code defaultValue} when absent; empty (with an error recorded)
     * when present with the wrong type.
     */
    Optional<String> string(String key, String defaultValue) {
        return has(key) ? string(key) : Optional.of(defaultValue);
    }

    /** An absolute path, optionally bounded as a Unix socket path. */
    Optional<Path> absolutePath(String key, String defaultValue, boolean socket) {
        Optional<String> text = string(key, defaultValue);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String s = text.get();
        if (!s.startsWith("/")) {
            error(key, "must be an absolute path, got '" + s + "'");
            return Optional.empty();
        }
        int bytes = s.getBytes(StandardCharsets.UTF_8).length;
        if (socket && bytes > MAX_SOCKET_PATH_BYTES) {
            error(key, "a Unix socket path is at most " + MAX_SOCKET_PATH_BYTES + " bytes, '" + s + "' has " + bytes);
            return Optional.empty();
        }
        return Optional.of(Path.of(s).normalize());
    }

    /** Unchecked list elements of {@code key}, or empty with an error when it is not a list. */
    Optional<List<Object>> list(String key) {
        Object value = values.get(key);
        if (value instanceof List<?> list) {
            return Optional.of(new ArrayList<>(list));
        }
        if (value != null) {
            error(key, "expected a list, got " + describe(value));
        }
        return Optional.empty();
    }

    /** How a value is quoted in messages: its YAML type and its text. */
    static String describe(Object value) {
        if (value instanceof String s) {
            return "string '" + s + "'";
        }
        if (value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger) {
            return "integer " + value;
        }
        if (value instanceof Double || value instanceof Float) {
            return "number " + value;
        }
        if (value instanceof Boolean b) {
            return "boolean " + b;
        }
        if (value instanceof Map) {
            return "a section";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof java.util.Date) {
            return "a date (quote it to make it a string)";
        }
        return value == null ? "nothing" : value.getClass().getSimpleName() + " " + value;
    }
}
