package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One row's change in a monitor update, with complete rows (the monitored columns) before and
 * after: {@code oldRow} is empty for initial and inserted rows, {@code newRow} empty for deleted rows.
 */
public record RowUpdate(String table, Uuid uuid, Kind kind, Optional<Row> oldRow, Optional<Row> newRow) {

    public RowUpdate {
        requireNonNull(table, "table");
        requireNonNull(uuid, "uuid");
        requireNonNull(kind, "kind");
        requireNonNull(oldRow, "oldRow");
        requireNonNull(newRow, "newRow");
        if (kind == Kind.DELETE ? newRow.isPresent() : newRow.isEmpty()) {
            throw new IllegalArgumentException(kind + " update of " + table + " " + uuid + ": newRow " + newRow);
        }
    }

    /** Columns whose value differs between old and new row (all of new's for initial/insert). */
    public Set<String> changedColumns() {
        Set<String> changed = new LinkedHashSet<>();
        Row before = oldRow.orElse(Row.builder().build());
        Row after = newRow.orElse(Row.builder().build());
        before.columns().keySet().forEach(c -> {
            if (!Objects.equals(before.columns().get(c), after.columns().get(c))) {
                changed.add(c);
            }
        });
        after.columns().keySet().forEach(c -> {
            if (!Objects.equals(before.columns().get(c), after.columns().get(c))) {
                changed.add(c);
            }
        });
        return changed;
    }

    public enum Kind {
        /** Part of the snapshot sent when the monitor is (re-)established. */
        INITIAL,
        INSERT,
        MODIFY,
        DELETE
    }
}
