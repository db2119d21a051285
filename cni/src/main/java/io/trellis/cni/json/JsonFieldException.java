package io.trellis.cni.json;

import static java.util.Objects.requireNonNull;

/** A JSON document that parsed but has a member of the wrong type or value; names the member's path. */
public final class JsonFieldException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public JsonFieldException(String field, String problem) {
        super("field '" + requireNonNull(field, "field") + "': " + requireNonNull(problem, "problem"));
        this.field = field;
    }

    /** The member's path, e.g. {@code prevResult.ips[0].address}. */
    public String field() {
        return field;
    }
}
