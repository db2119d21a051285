package io.trellis.controlplane.policy;

import static java.util.Objects.requireNonNull;

/** Identifies a {@link PolicyObject}: its kind and its name (unique per kind). */
public record PolicyObjectKey(Kind kind, String name) {
    public enum Kind {
        APPLIED_TO_GROUP,
        ADDRESS_GROUP,
        POLICY
    }

    public PolicyObjectKey {
        requireNonNull(kind, "kind");
        requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException(kind + " needs a name");
        }
    }

    @Override
    public String toString() {
        return kind + "/" + name;
    }
}
