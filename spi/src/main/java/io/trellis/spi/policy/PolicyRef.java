package io.trellis.spi.policy;

import static java.util.Objects.requireNonNull;

/** A NetworkPolicy by namespace and name. */
public record PolicyRef(String namespace, String name) {
    public PolicyRef {
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
        if (namespace.isEmpty() || name.isEmpty()) {
            throw new IllegalArgumentException("policy reference needs a namespace and a name, got '" + namespace + "/"
                    + name + "'");
        }
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
