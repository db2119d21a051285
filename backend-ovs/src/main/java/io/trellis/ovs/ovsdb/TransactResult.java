package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The results of a successful transaction, one per operation, in request order. */
public record TransactResult(List<Operation> operations, List<OperationResult> results) {

    public TransactResult {
        operations = List.copyOf(operations);
        results = List.copyOf(results);
        if (operations.size() != results.size()) {
            throw new IllegalArgumentException(operations.size() + " operations but " + results.size() + " results");
        }
    }

    /**
     * Decodes a transact reply (RFC 7047 section 4.1.3), throwing {@link OvsdbTransactionException}
     * for the first operation that reports an error, or for the commit when an extra error element follows.
     */
    public static TransactResult fromJson(String database, List<Operation> operations, JsonNode result) {
        requireNonNull(operations, "operations");
        if (result == null || !result.isArray()) {
            throw new OvsdbProtocolException("transact result must be an array, got " + result);
        }
        for (int i = 0; i < result.size(); i++) {
            JsonNode element = result.get(i);
            if (element != null && element.isObject() && element.hasNonNull("error")) {
                Optional<Operation> op = i < operations.size() ? Optional.of(operations.get(i)) : Optional.empty();
                JsonNode details = element.get("details");
                throw new OvsdbTransactionException(database, i, op, element.get("error").asText(),
                        details == null || details.isNull() ? Optional.empty() : Optional.of(details.asText()));
            }
        }
        if (result.size() < operations.size()) {
            throw new OvsdbProtocolException("transact result has " + result.size() + " elements for "
                    + operations.size() + " operations and no error");
        }
        List<OperationResult> results = new ArrayList<>(operations.size());
        for (int i = 0; i < operations.size(); i++) {
            results.add(decode(operations.get(i), result.get(i), "transact result[" + i + "]"));
        }
        return new TransactResult(operations, results);
    }

    private static OperationResult decode(Operation op, JsonNode json, String where) {
        if (json == null || !json.isObject()) {
            throw new OvsdbProtocolException(where + " (" + op.op() + "): expected an object, got " + json);
        }
        if (op instanceof Operation.Insert) {
            return new OperationResult.Inserted(
                    (Uuid) requireAtom(ValueCodec.atomFromJson(json.get("uuid"), where + ".uuid"), Uuid.class, where));
        }
        if (op instanceof Operation.Select) {
            JsonNode rows = json.get("rows");
            if (rows == null || !rows.isArray()) {
                throw new OvsdbProtocolException(where + " (select): \"rows\" must be an array, got " + rows);
            }
            List<Row> decoded = new ArrayList<>(rows.size());
            for (int r = 0; r < rows.size(); r++) {
                decoded.add(Row.fromJson(rows.get(r), where + ".rows[" + r + "]"));
            }
            return new OperationResult.Selected(decoded);
        }
        if (op instanceof Operation.Update || op instanceof Operation.Mutate || op instanceof Operation.Delete) {
            JsonNode count = json.get("count");
            if (count == null || !count.isIntegralNumber()) {
                throw new OvsdbProtocolException(where + " (" + op.op() + "): \"count\" must be an integer, got " + count);
            }
            return new OperationResult.Counted(count.asLong());
        }
        return new OperationResult.Empty();
    }

    private static Atom requireAtom(Atom atom, Class<? extends Atom> type, String where) {
        if (!type.isInstance(atom)) {
            throw new OvsdbProtocolException(where + ": expected " + type.getSimpleName() + ", got " + atom);
        }
        return atom;
    }

    public OperationResult get(int index) {
        return results.get(index);
    }

    /** The uuid of the row inserted by operation {@code index}. */
    public Uuid insertedUuid(int index) {
        return as(index, OperationResult.Inserted.class).uuid();
    }

    /** The uuid the server gave the row inserted with {@code uuid-name} {@code name}. */
    public Uuid insertedUuid(String uuidName) {
        for (int i = 0; i < operations.size(); i++) {
            if (operations.get(i) instanceof Operation.Insert ins && ins.uuidName().filter(uuidName::equals).isPresent()) {
                return insertedUuid(i);
            }
        }
        throw new IllegalArgumentException("no insert with uuid-name '" + uuidName + "' in this transaction");
    }

    /** The rows selected by operation {@code index}. */
    public List<Row> rows(int index) {
        return as(index, OperationResult.Selected.class).rows();
    }

    /** The row count of update/mutate/delete operation {@code index}. */
    public long count(int index) {
        return as(index, OperationResult.Counted.class).count();
    }

    private <T extends OperationResult> T as(int index, Class<T> type) {
        OperationResult r = results.get(index);
        if (!type.isInstance(r)) {
            throw new IllegalStateException("operation " + index + " (" + operations.get(index).op() + ") gave "
                    + r.getClass().getSimpleName() + ", not " + type.getSimpleName());
        }
        return type.cast(r);
    }
}
