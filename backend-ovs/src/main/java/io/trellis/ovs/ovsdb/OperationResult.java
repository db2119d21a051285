package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** The result of one successful transact operation (RFC 7047 section 5.2). */
public sealed interface OperationResult permits OperationResult.Inserted, OperationResult.Counted,
        OperationResult.Selected, OperationResult.Empty {

    /** insert: the new row's uuid. */
    record Inserted(Uuid uuid) implements OperationResult {
        public Inserted {
            requireNonNull(uuid, "uuid");
        }
    }

    /** update, mutate, delete: how many rows matched. */
    record Counted(long count) implements OperationResult {
    }

    /** select: the matching rows (with the selected columns). */
    record Selected(List<Row> rows) implements OperationResult {
        public Selected {
            rows = List.copyOf(rows);
        }
    }

    /** wait, commit, comment, assert: an empty object. */
    record Empty() implements OperationResult {
    }
}
