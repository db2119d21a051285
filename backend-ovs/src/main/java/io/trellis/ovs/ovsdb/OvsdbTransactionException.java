package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A transaction failed (RFC 7047 section 4.1.3). Names the failing operation: its index, op and
 * table, with the server's {@code error} and {@code details}. When every operation succeeded but
 * the commit did not (e.g. "referential integrity violation", "constraint violation"), the index
 * equals the number of operations and {@link #operation()} is empty.
 */
public class OvsdbTransactionException extends OvsdbException {

    private final int operationIndex;
    private final transient Optional<Operation> operation;
    private final String error;
    private final transient Optional<String> details;

    public OvsdbTransactionException(String database, int operationIndex, Optional<Operation> operation,
                                     String error, Optional<String> details) {
        super(describe(database, operationIndex, operation, error, details));
        this.operationIndex = operationIndex;
        this.operation = requireNonNull(operation, "operation");
        this.error = requireNonNull(error, "error");
        this.details = requireNonNull(details, "details");
    }

    private static String describe(String database, int index, Optional<Operation> operation, String error,
                                   Optional<String> details) {
        String where = operation
                .map(op -> "operation " + index + " (" + op.op() + op.table().map(t -> " " + t).orElse("") + ")")
                .orElse("commit after " + index + " operations");
        return "OVSDB transaction on " + database + " failed at " + where + ": " + error
                + details.map(d -> ": " + d).orElse("");
    }

    /** Index of the failing operation in the request, or the operation count for a commit failure. */
    public int operationIndex() {
        return operationIndex;
    }

    public Optional<Operation> operation() {
        return operation;
    }

    /** The failing op name ("insert", "wait", ...) or "commit" for a commit failure. */
    public String op() {
        return operation.map(Operation::op).orElse("commit");
    }

    public Optional<String> table() {
        return operation.flatMap(Operation::table);
    }

    /** The RFC 7047 error string, e.g. "constraint violation", "timed out", "referential integrity violation". */
    public String error() {
        return error;
    }

    public Optional<String> details() {
        return details;
    }

}
