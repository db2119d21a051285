package io.trellis.ovs.transport;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Exponential reconnect delays: {@code initial * multiplier^attempt}, capped at {@code max}.
 * Attempt 0 is the first retry after a connection is lost.
 */
public record Backoff(Duration initial, Duration max, double multiplier) {

    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(8), 2.0);

    public Backoff {
        requireNonNull(initial, "initial");
        requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial must be positive, got " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max " + max + " is below initial " + initial);
        }
        if (multiplier < 1.0) {
            throw new IllegalArgumentException("multiplier must be >= 1, got " + multiplier);
        }
    }

    public Duration delay(int attempt) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be >= 0, got " + attempt);
        }
        double millis = initial.toMillis() * Math.pow(multiplier, attempt);
        return millis >= max.toMillis() ? max : Duration.ofMillis((long) millis);
    }
}
