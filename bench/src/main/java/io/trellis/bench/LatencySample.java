package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * The wall times of one operation repeated {@code samples.size()} times, with nearest-rank
 * percentiles (p99 of 100 samples is the 99th smallest; of fewer than 100, the largest).
 */
record LatencySample(String operation, List<Duration> samples) {
    LatencySample {
        requireNonNull(operation, "operation");
        samples = List.copyOf(requireNonNull(samples, "samples"));
        if (samples.isEmpty()) {
            throw new IllegalArgumentException(operation + ": no samples");
        }
    }

    /** Nearest rank: the smallest sample with at least {@code q} of all samples at or below it. */
    double percentileMillis(double q) {
        if (q <= 0 || q > 1) {
            throw new IllegalArgumentException("percentile " + q + " outside (0, 1]");
        }
        List<Duration> sorted = samples.stream().sorted().toList();
        int rank = (int) Math.ceil(q * sorted.size());
        return millis(sorted.get(Math.max(rank, 1) - 1));
    }

    double p50() {
        return percentileMillis(0.50);
    }

    double p99() {
        return percentileMillis(0.99);
    }

    double minMillis() {
        return samples.stream().mapToDouble(LatencySample::millis).min().orElseThrow();
    }

    double maxMillis() {
        return samples.stream().mapToDouble(LatencySample::millis).max().orElseThrow();
    }

    double meanMillis() {
        return samples.stream().mapToDouble(LatencySample::millis).average().orElseThrow();
    }

    private static double millis(Duration d) {
        return d.toNanos() / 1e6;
    }
}
