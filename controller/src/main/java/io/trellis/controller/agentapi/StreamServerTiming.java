package io.trellis.controller.agentapi;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the policy stream server paces and bounds its streams.
 *
 * @param heartbeat      a stream with nothing to send for this long sends a heartbeat line (clients give a stream
 *                       up after three intervals of silence)
 * @param historyPerNode events kept per node so that a reconnecting agent gets only what it missed
 * @param queueLimit     events a stream may fall behind before the server cuts it
 */
public record StreamServerTiming(Duration heartbeat, int historyPerNode, int queueLimit) {
    public static final StreamServerTiming DEFAULT = new StreamServerTiming(Duration.ofSeconds(5), 1000, 10_000);

    public StreamServerTiming {
        requireNonNull(heartbeat, "heartbeat");
        if (heartbeat.isNegative() || heartbeat.isZero() || historyPerNode < 1 || queueLimit < 1) {
            throw new IllegalArgumentException("heartbeat, history and queue limit must be positive, got " + heartbeat
                    + ", " + historyPerNode + ", " + queueLimit);
        }
    }
}
