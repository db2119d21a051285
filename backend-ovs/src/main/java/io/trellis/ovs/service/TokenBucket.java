package io.trellis.ovs.service;

import static java.util.Objects.requireNonNull;

import java.util.function.LongSupplier;

/**
 * A token bucket: up to {@code burst} takes at once, refilled at {@code perSecond}. Thread-safe.
 * Bounds the work a flood of packets can cause the agent (each take is one crafted answer).
 */
final class TokenBucket {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final double perSecond;
    private final int burst;
    private final LongSupplier nanoClock;
    private double tokens;
    private long last;

    /**
     * @param perSecond tokens added per second, positive
     * @param burst     the bucket's size, at least 1; it starts full
     * @param nanoClock monotonic nanoseconds ({@code System::nanoTime})
     */
    TokenBucket(double perSecond, int burst, LongSupplier nanoClock) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("token bucket: rate " + perSecond + "/s must be positive and finite");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("token bucket: burst " + burst + " must be at least 1");
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        this.tokens = burst;
        this.last = nanoClock.getAsLong();
    }

    /** Takes one token if there is one. */
    synchronized boolean tryTake() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - last) * perSecond / NANOS_PER_SECOND);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
