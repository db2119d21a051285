package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * A {@code <condition>} (RFC 7047 section 5.1) of a where clause: {@code [column, function, value]}.
 * {@code monitor_cond} (ovsdb-server(7)) also accepts the constants {@code true} and {@code false}.
 */
public sealed interface Condition permits Condition.Compare, Condition.Constant {

    JsonNode toJson();

    static Condition eq(String column, Value value) {
        return new Compare(column, Function.EQ, value);
    }

    static Condition eq(String column, String value) {
        return eq(column, Atom.of(value));
    }

    static Condition ne(String column, Value value) {
        return new Compare(column, Function.NE, value);
    }

    static Condition includes(String column, Value value) {
        return new Compare(column, Function.INCLUDES, value);
    }

    static Condition excludes(String column, Value value) {
        return new Compare(column, Function.EXCLUDES, value);
    }

    static Condition always() {
        return new Constant(true);
    }

    static Condition never() {
        return new Constant(false);
    }

    /** {@code [column, function, value]}. */
    record Compare(String column, Function function, Value value) implements Condition {
        public Compare {
            requireNonNull(column, "column");
            requireNonNull(function, "function");
            requireNonNull(value, "value");
        }

        @Override
        public JsonNode toJson() {
            return JsonNodeFactory.instance.arrayNode()
                    .add(column).add(function.wire()).add(ValueCodec.toJson(value));
        }
    }

    /** {@code true} or {@code false}: every row or none. */
    record Constant(boolean value) implements Condition {
        @Override
        public JsonNode toJson() {
            return JsonNodeFactory.instance.booleanNode(value);
        }
    }

    /** The {@code <function>} of a condition (RFC 7047 section 5.1). */
    enum Function {
        LT("<"), LE("<="), EQ("=="), NE("!="), GE(">="), GT(">"), INCLUDES("includes"), EXCLUDES("excludes");

        private final String wire;

        Function(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }
}
