package io.trellis.controlplane.stream;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads one JSON object of a message field by field, knowing its path in the message so that every
 * error names the field and quotes the value. {@link #done()} rejects fields nobody read: the two
 * sides are built from the same source, so an unknown field means a broken message, and ignoring it
 * could silently drop part of a policy.
 */
final class JsonFields {
    private final JsonNode node;
    private final String path;
    private final Set<String> read = new HashSet<>();

    private JsonFields(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The object at {@code path}; fails unless {@code node} is a JSON object. */
    static JsonFields of(JsonNode node, String path) {
        requireNonNull(node, "node");
        if (!node.isObject()) {
            throw wrong(path, "an object", node);
        }
        return new JsonFields(node, path);
    }

    String path() {
        return path;
    }

    String field(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    boolean has(String name) {
        return node.has(name) && !node.get(name).isNull();
    }

    JsonNode required(String name) {
        read.add(name);
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new PolicyWireException("field '" + field(name) + "': required, missing");
        }
        return value;
    }

    String text(String name) {
        JsonNode value = required(name);
        if (!value.isTextual()) {
            throw wrong(field(name), "a string", value);
        }
        return value.textValue();
    }

    Optional<String> optionalText(String name) {
        read.add(name);
        return has(name) ? Optional.of(text(name)) : Optional.empty();
    }

    boolean bool(String name) {
        JsonNode value = required(name);
        if (!value.isBoolean()) {
            throw wrong(field(name), "true or false", value);
        }
        return value.booleanValue();
    }

    int integer(String name, int min, int max) {
        JsonNode value = required(name);
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < min
                || value.longValue() > max) {
            throw wrong(field(name), "an integer " + min + ".." + max, value);
        }
        return value.intValue();
    }

    OptionalInt optionalInteger(String name, int min, int max) {
        read.add(name);
        return has(name) ? OptionalInt.of(integer(name, min, max)) : OptionalInt.empty();
    }

    long counter(String name) {
        JsonNode value = required(name);
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
            throw wrong(field(name), "a non-negative 64-bit integer", value);
        }
        return value.longValue();
    }

    <E extends Enum<E>> E enumValue(String name, Class<E> type) {
        String text = text(name);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(text)) {
                return constant;
            }
        }
        throw new PolicyWireException("field '" + field(name) + "': expected one of "
                + java.util.Arrays.toString(type.getEnumConstants()) + ", got \"" + text + "\"");
    }

    JsonFields object(String name) {
        return of(required(name), field(name));
    }

    /** Each element of the array {@code name}, converted by {@code element} (given the element and its path). */
    <T> List<T> list(String name, ElementReader<T> element) {
        JsonNode value = required(name);
        if (!value.isArray()) {
            throw wrong(field(name), "an array", value);
        }
        List<T> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            out.add(element.read(value.get(i), field(name) + "[" + i + "]"));
        }
        return out;
    }

    <T> List<T> objects(String name, Function<JsonFields, T> element) {
        return list(name, (n, p) -> {
            JsonFields fields = of(n, p);
            T result = element.apply(fields);
            fields.done();
            return result;
        });
    }

    List<String> texts(String name) {
        return list(name, JsonFields::textElement);
    }

    /** Fails on a field no reader asked for. */
    void done() {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!read.contains(name)) {
                throw new PolicyWireException("field '" + field(name) + "': unknown field (value " + node.get(name)
                        + ")");
            }
        }
    }

    /**
     * Runs a record constructor (or parser) whose validation throws {@link IllegalArgumentException},
     * reporting its message under this object's path.
     */
    <T> T build(java.util.function.Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new PolicyWireException("field '" + (path.isEmpty() ? "(message)" : path) + "': " + e.getMessage(), e);
        }
    }

    static String textElement(JsonNode value, String path) {
        if (!value.isTextual()) {
            throw wrong(path, "a string", value);
        }
        return value.textValue();
    }

    /** A numeric IPv4 or IPv6 address; never a name lookup. */
    static InetAddress ipElement(JsonNode value, String path) {
        String text = textElement(value, path);
        boolean numeric = !text.isEmpty()
                && (text.indexOf(':') >= 0
                        ? text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')
                        : text.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.'));
        if (numeric) {
            try {
                return InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                // falls through to the error below
            }
        }
        throw new PolicyWireException("field '" + path + "': expected a numeric IP address, got \"" + text + "\"");
    }

    static PolicyWireException wrong(String path, String expected, JsonNode value) {
        return new PolicyWireException("field '" + (path.isEmpty() ? "(message)" : path) + "': expected " + expected
                + ", got " + value);
    }

    @FunctionalInterface
    interface ElementReader<T> {
        T read(JsonNode element, String path);
    }
}
