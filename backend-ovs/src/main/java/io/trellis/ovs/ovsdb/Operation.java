package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** One operation of a {@code transact} request (RFC 7047 section 5.2). */
public sealed interface Operation permits Operation.Insert, Operation.Select, Operation.Update, Operation.Mutate,
        Operation.Delete, Operation.Wait, Operation.Commit, Operation.Abort, Operation.Comment, Operation.Assert {

    /** The {@code "op"} member. */
    String op();

    /** The table the operation works on, if any. */
    default Optional<String> table() {
        return Optional.empty();
    }

    ObjectNode toJson();

    private static ObjectNode start(String op) {
        return JsonNodeFactory.instance.objectNode().put("op", op);
    }

    private static ArrayNode conditionsJson(List<Condition> where) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        where.forEach(c -> array.add(c.toJson()));
        return array;
    }

    private static ArrayNode strings(List<String> strings) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        strings.forEach(array::add);
        return array;
    }

    /** RFC 7047 5.2.1. {@code uuidName}, when present, lets later operations refer to the row as a {@link NamedUuid}. */
    record Insert(String tableName, Row row, Optional<String> uuidName) implements Operation {
        public Insert {
            requireNonNull(tableName, "table");
            requireNonNull(row, "row");
            requireNonNull(uuidName, "uuidName");
            uuidName.ifPresent(NamedUuid::new); // validates the <id> syntax
        }

        public Insert(String tableName, Row row) {
            this(tableName, row, Optional.empty());
        }

        public Insert(String tableName, Row row, String uuidName) {
            this(tableName, row, Optional.of(uuidName));
        }

        /** The named-uuid that refers to this row within the transaction. */
        public NamedUuid namedUuid() {
            return new NamedUuid(uuidName.orElseThrow(() ->
                    new IllegalStateException("insert into " + tableName + " has no uuid-name")));
        }

        @Override
        public String op() {
            return "insert";
        }

        @Override
        public Optional<String> table() {
            return Optional.of(tableName);
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode json = start(op()).put("table", tableName);
            json.set("row", row.toJson());
            uuidName.ifPresent(n -> json.put("uuid-name", n));
            return json;
        }
    }

    /** RFC 7047 5.2.2. An empty {@code columns} list means all columns (the member is then omitted). */
    record Select(String tableName, List<Condition> where, List<String> columns) implements Operation {
        public Select {
            requireNonNull(tableName, "table");
            where = List.copyOf(where);
            columns = List.copyOf(columns);
        }

        public Select(String tableName, List<Condition> where) {
            this(tableName, where, List.of());
        }

        @Override
        public String op() {
            return "select";
        }

        @Override
        public Optional<String> table() {
            return Optional.of(tableName);
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode json = start(op()).put("table", tableName);
            json.set("where", conditionsJson(where));
            if (!columns.isEmpty()) {
                json.set("columns", strings(columns));
            }
            return json;
        }
    }

    /** RFC 7047 5.2.3. */
    record Update(String tableName, List<Condition> where, Row row) implements Operation {
        public Update {
            requireNonNull(tableName, "table");
            where = List.copyOf(where);
            requireNonNull(row, "row");
        }

        @Override
        public String op() {
            return "update";
        }

        @Override
        public Optional<String> table() {
            return Optional.of(tableName);
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode json = start(op()).put("table", tableName);
            json.set("where", conditionsJson(where));
            json.set("row", row.toJson());
            return json;
        }
    }

    /** RFC 7047 5.2.4. */
    record Mutate(String tableName, List<Condition> where, List<Mutation> mutations) implements Operation {
        public Mutate {
            requireNonNull(tableName, "table");
            where = List.copyOf(where);
            mutations = List.copyOf(mutations);
        }

        @Override
        public String op() {
            return "mutate";
        }

        @Override
        public Optional<String> table() {
            return Optional.of(tableName);
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode json = start(op()).put("table", tableName);
            json.set("where", conditionsJson(where));
            ArrayNode array = json.putArray("mutations");
            mutations.forEach(m -> array.add(m.toJson()));
            return json;
        }
    }

    /** RFC 7047 5.2.5. */
    record Delete(String tableName, List<Condition> where) implements Operation {
        public Delete {
            requireNonNull(tableName, "table");
            where = List.copyOf(where);
        }

        @Override
        public String op() {
            return "delete";
        }

        @Override
        public Optional<String> table() {
            return Optional.of(tableName);
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode json = start(op()).put("table", tableName);
            json.set("where", conditionsJson(where));
            return json;
        }
    }

    /**
     * RFC 7047 5.2.6: waits until the selected {@code columns} of the rows matching {@code where} are
     * ({@link Until#EQUAL}) or are not ({@link Until#NOT_EQUAL}) exactly {@code rows}. A zero timeout
     * turns it into an assertion; an empty timeout waits forever.
     */
    record Wait(String tableName, List<Condition> where, List<String> columns, Until until, List<Row> rows,
                Optional<Duration> timeout) implements Operation {
        public Wait {
            requireNonNull(tableName, "table");
            where = List.copyOf(where);
            columns = List.copyOf(columns);
            requireNonNull(until, "until");
            rows = List.copyOf(rows);
            requireNonNull(timeout, "timeout");
            timeout.ifPresent(t -> {
                if (t.isNegative()) {
                    throw new IllegalArgumentException("wait timeout must not be negative, got " + t);
                }
            });
        }

        @Override
        public String op() {
            return "wait";
        }

        @Override
        public Optional<String> table() {
            return Optional.of(tableName);
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode json = start(op());
            timeout.ifPresent(t -> json.put("timeout", t.toMillis()));
            json.put("table", tableName);
            json.set("where", conditionsJson(where));
            json.set("columns", strings(columns));
            json.put("until", until.wire());
            ArrayNode array = json.putArray("rows");
            rows.forEach(r -> array.add(r.toJson()));
            return json;
        }

        public enum Until {
            EQUAL("=="), NOT_EQUAL("!=");

            private final String wire;

            Until(String wire) {
                this.wire = wire;
            }

            public String wire() {
                return wire;
            }
        }
    }

    /** RFC 7047 5.2.7. */
    record Commit(boolean durable) implements Operation {
        @Override
        public String op() {
            return "commit";
        }

        @Override
        public ObjectNode toJson() {
            return start(op()).put("durable", durable);
        }
    }

    /** RFC 7047 5.2.8: always fails with error "aborted", rolling back the transaction. */
    record Abort() implements Operation {
        @Override
        public String op() {
            return "abort";
        }

        @Override
        public ObjectNode toJson() {
            return start(op());
        }
    }

    /** RFC 7047 5.2.9: text for the database log. */
    record Comment(String comment) implements Operation {
        public Comment {
            requireNonNull(comment, "comment");
        }

        @Override
        public String op() {
            return "comment";
        }

        @Override
        public ObjectNode toJson() {
            return start(op()).put("comment", comment);
        }
    }

    /** RFC 7047 5.2.10: fails with "not owner" unless this session holds {@code lock}. */
    record Assert(String lock) implements Operation {
        public Assert {
            requireNonNull(lock, "lock");
        }

        @Override
        public String op() {
            return "assert";
        }

        @Override
        public ObjectNode toJson() {
            return start(op()).put("lock", lock);
        }
    }
}
