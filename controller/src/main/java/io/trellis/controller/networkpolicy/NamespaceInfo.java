package io.trellis.controller.networkpolicy;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** What the computation needs of a Namespace: its name and labels. */
public record NamespaceInfo(String name, Map<String, String> labels) {
    public NamespaceInfo {
        requireNonNull(name, "name");
        labels = Map.copyOf(requireNonNull(labels, "labels"));
        if (name.isEmpty()) {
            throw new IllegalArgumentException("namespace needs a name");
        }
    }
}
