package io.trellis.e2e;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** A pod's network namespace as a runtime creates it: a named netns, passed to CNI as its path. */
public record PodNetns(String name) {
    public PodNetns {
        requireNonNull(name, "name");
    }

    /** CNI_NETNS. */
    public Path path() {
        return Path.of("/var/run/netns", name);
    }
}
