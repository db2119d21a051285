package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.transport.Backoff;
import java.time.Duration;

/**
 * Tuning of an {@link OvsdbClient}.
 *
 * @param echoInterval send an "echo" after this long without input and drop the connection if it
 *                     gets no reply within {@code requestTimeout}; {@link Duration#ZERO} disables it
 * @param maxMessageBytes largest JSON text accepted (monitor snapshots of big databases are large)
 */
public record OvsdbClientOptions(Duration connectTimeout, Duration requestTimeout, Backoff backoff,
                                 Duration echoInterval, int maxMessageBytes) {

    public static final OvsdbClientOptions DEFAULT = new OvsdbClientOptions(
            Duration.ofSeconds(5), Duration.ofSeconds(30), Backoff.DEFAULT, Duration.ofSeconds(15), 64 << 20);

    public OvsdbClientOptions {
        requireNonNull(connectTimeout, "connectTimeout");
        requireNonNull(requestTimeout, "requestTimeout");
        requireNonNull(backoff, "backoff");
        requireNonNull(echoInterval, "echoInterval");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
        }
        if (echoInterval.isNegative()) {
            throw new IllegalArgumentException("echoInterval must not be negative, got " + echoInterval);
        }
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes too small: " + maxMessageBytes);
        }
    }

    public OvsdbClientOptions withRequestTimeout(Duration timeout) {
        return new OvsdbClientOptions(connectTimeout, timeout, backoff, echoInterval, maxMessageBytes);
    }

    public OvsdbClientOptions withBackoff(Backoff newBackoff) {
        return new OvsdbClientOptions(connectTimeout, requestTimeout, newBackoff, echoInterval, maxMessageBytes);
    }

    public OvsdbClientOptions withEchoInterval(Duration interval) {
        return new OvsdbClientOptions(connectTimeout, requestTimeout, backoff, interval, maxMessageBytes);
    }
}
