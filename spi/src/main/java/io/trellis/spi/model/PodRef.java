package io.trellis.spi.model;

import static java.util.Objects.requireNonNull;

/** A Kubernetes Pod by namespace and name, as the CNI runtime reports it (K8S_POD_NAMESPACE, K8S_POD_NAME). */
public record PodRef(String namespace, String name) {
    public PodRef {
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
        if (namespace.isEmpty() || name.isEmpty()) {
            throw new IllegalArgumentException("pod reference needs a namespace and a name, got '" + namespace + "/" + name + "'");
        }
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
