package io.trellis.spi.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.PodRef;

/**
 * Packets dropped because a pod is isolated in a direction and no rule allowed them (default
 * deny), cumulative since the enforcer started isolating the pod.
 */
public record IsolationDropCounters(PodRef pod, Direction direction, long packets, long bytes) {
    public IsolationDropCounters {
        requireNonNull(pod, "pod");
        requireNonNull(direction, "direction");
        if (packets < 0 || bytes < 0) {
            throw new IllegalArgumentException("drop counters of " + pod + " " + direction
                    + " must not be negative: packets " + packets + ", bytes " + bytes);
        }
    }
}
