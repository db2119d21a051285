package io.trellis.controlplane.stream;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long to wait before retrying after failures in a row (the agent's failed enforcer calls, the
 * policy stream's reconnects): {@code first}, doubling per consecutive failure up to {@code max}.
 */
public record RetryBackoff(Duration first, Duration max) {
    /** 1 s, 2 s, 4 s, ... 30 s. */
    public static final RetryBackoff DEFAULT = new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

    public RetryBackoff {
        requireNonNull(first, "first");
        requireNonNull(max, "max");
        if (first.isNegative() || first.isZero()) {
            throw new IllegalArgumentException("first retry delay must be positive, got " + first);
        }
        if (max.compareTo(first) < 0) {
            throw new IllegalArgumentException("max retry delay " + max + " is below the first " + first);
        }
    }

    /** The delay after the {@code failures}-th failure in a row (1 for the first). */
    public Duration delay(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be >= 1, got " + failures);
        }
        Duration d = first;
        for (int i = 1; i < failures && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }
}
