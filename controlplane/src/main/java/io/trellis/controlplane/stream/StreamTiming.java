package io.trellis.controlplane.stream;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the client paces reconnections.
 *
 * @param initialBackoff   wait after the first failed attempt; doubles per failure (with +-20% jitter)
 * @param maxBackoff       the longest wait between attempts
 * @param connectTimeout   how long to wait for the TCP + TLS handshake and the response headers
 * @param defaultHeartbeat assumed when the server does not announce its heartbeat interval; the client gives the
 *                         connection up after three intervals without a line
 */
public record StreamTiming(Duration initialBackoff, Duration maxBackoff, Duration connectTimeout,
                           Duration defaultHeartbeat) {
    public static final StreamTiming DEFAULT = new StreamTiming(Duration.ofMillis(500), Duration.ofSeconds(30),
            Duration.ofSeconds(10), Duration.ofSeconds(5));

    public StreamTiming {
        requireNonNull(initialBackoff, "initialBackoff");
        requireNonNull(maxBackoff, "maxBackoff");
        requireNonNull(connectTimeout, "connectTimeout");
        requireNonNull(defaultHeartbeat, "defaultHeartbeat");
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0
                || connectTimeout.isNegative() || connectTimeout.isZero()
                || defaultHeartbeat.isNegative() || defaultHeartbeat.isZero()) {
            throw new IllegalArgumentException("stream timing must be positive with maxBackoff >= initialBackoff, got "
                    + initialBackoff + ", " + maxBackoff + ", " + connectTimeout + ", " + defaultHeartbeat);
        }
    }

    /** The wait before attempt {@code failures + 1}, without jitter. */
    Duration backoff(int failures) {
        return new RetryBackoff(initialBackoff, maxBackoff).delay(failures + 1);
    }
}
