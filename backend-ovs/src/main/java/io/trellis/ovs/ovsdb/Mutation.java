package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** A {@code <mutation>} (RFC 7047 section 5.1): {@code [column, mutator, value]}. */
public record Mutation(String column, Mutator mutator, Value value) {

    public Mutation {
        requireNonNull(column, "column");
        requireNonNull(mutator, "mutator");
        requireNonNull(value, "value");
    }

    public static Mutation insert(String column, Value value) {
        return new Mutation(column, Mutator.INSERT, value);
    }

    public static Mutation delete(String column, Value value) {
        return new Mutation(column, Mutator.DELETE, value);
    }

    public JsonNode toJson() {
        return JsonNodeFactory.instance.arrayNode().add(column).add(mutator.wire()).add(ValueCodec.toJson(value));
    }

    /** The {@code <mutator>} (RFC 7047 section 5.1). */
    public enum Mutator {
        ADD("+="), SUBTRACT("-="), MULTIPLY("*="), DIVIDE("/="), MODULO("%="), INSERT("insert"), DELETE("delete");

        private final String wire;

        Mutator(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }
}
