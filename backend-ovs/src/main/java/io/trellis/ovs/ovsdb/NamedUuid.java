package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A reference to a row inserted earlier in the same transaction, {@code ["named-uuid", "<id>"]}
 * (RFC 7047 section 5.1); the name is the insert operation's {@code uuid-name}.
 */
public record NamedUuid(String name) implements Atom {

    // RFC 7047 section 3.1 <id>: [a-zA-Z_][a-zA-Z0-9_]*
    private static final Pattern ID = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public NamedUuid {
        requireNonNull(name, "name");
        if (!ID.matcher(name).matches()) {
            throw new IllegalArgumentException("named-uuid '" + name + "' is not an <id> ([a-zA-Z_][a-zA-Z0-9_]*)");
        }
    }

    @Override
    public String toString() {
        return "named-uuid:" + name;
    }
}
