package io.trellis.spi.service;

/**
 * {@code spec.sessionAffinity: ClientIP} with
 * {@code spec.sessionAffinityConfig.clientIP.timeoutSeconds}: every new connection from one client
 * IP to one Service port goes to the endpoint the client's previous connection went to, as long as
 * that endpoint is still used and the client opened a connection within the last
 * {@code timeoutSeconds} (kube-proxy refreshes the affinity on every new connection, so the timeout
 * counts from the client's latest one).
 *
 * @param timeoutSeconds 1..86400, the API's range; the API's default is {@link #DEFAULT_TIMEOUT_SECONDS}
 */
public record ClientIpAffinity(int timeoutSeconds) {

    /** The API's default: 3 hours. */
    public static final int DEFAULT_TIMEOUT_SECONDS = 10800;
    /** The API's maximum: one day. */
    public static final int MAX_TIMEOUT_SECONDS = 86400;

    public ClientIpAffinity {
        if (timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
            throw new IllegalArgumentException("sessionAffinityConfig.clientIP.timeoutSeconds must be 1.."
                    + MAX_TIMEOUT_SECONDS + ", got " + timeoutSeconds);
        }
    }
}
