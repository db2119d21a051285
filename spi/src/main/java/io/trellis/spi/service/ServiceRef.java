package io.trellis.spi.service;

import static java.util.Objects.requireNonNull;

/** A Kubernetes Service by namespace and name. */
public record ServiceRef(String namespace, String name) {
    public ServiceRef {
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
        if (namespace.isEmpty() || name.isEmpty()) {
            throw new IllegalArgumentException("service reference needs a namespace and a name, got '" + namespace + "/"
                    + name + "'");
        }
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
