package io.trellis.controlplane.stream;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The HTTP side of the policy channel, shared by server and client.
 * <ul>
 *   <li>{@code GET /v1/policy/watch[?resourceVersion=V]}: {@code 200}, {@code Content-Type:
 *       application/x-ndjson}, chunked, one {@link StreamEvent} per line, never ending by itself;
 *       {@link #HEARTBEAT_HEADER} says how often the server sends at least one line.</li>
 *   <li>{@code POST /v1/policy/stats}: an agent's {@code PolicyStatistics} (see {@link PolicyStatisticsJson});
 *       {@code GET /v1/policy/stats[?namespace=NS]}: the sums over all nodes.</li>
 *   <li>Every request: {@code Authorization: Bearer <node>:<token>} ({@link AgentTokens}); otherwise
 *       {@code 401}. {@code 503} while the controller has not computed its first complete state.</li>
 * </ul>
 */
public final class PolicyStreamProtocol {
    public static final String WATCH_PATH = "/v1/policy/watch";
    public static final String STATS_PATH = "/v1/policy/stats";
    public static final String RESOURCE_VERSION_PARAM = "resourceVersion";
    public static final String NAMESPACE_PARAM = "namespace";
    public static final String HEARTBEAT_HEADER = "Trellis-Heartbeat-Millis";
    public static final String STREAM_CONTENT_TYPE = "application/x-ndjson";
    public static final String JSON_CONTENT_TYPE = "application/json";

    private PolicyStreamProtocol() {
    }

    /** The {@code Authorization} header value for {@code node}. */
    public static String authorization(String node, String token) {
        requireNonNull(node, "node");
        requireNonNull(token, "token");
        return "Bearer " + node + ":" + token;
    }

    /** Who an {@code Authorization} header claims to be (node and token), if it has the right form. */
    public static Optional<Credentials> credentials(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return Optional.empty();
        }
        String value = header.substring("Bearer ".length()).trim();
        // Node names are DNS subdomains: no ':'; the token is hex, so the last ':' separates them.
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new Credentials(value.substring(0, colon), value.substring(colon + 1)));
    }

    /** A node name and the token it presented (not yet checked). */
    public record Credentials(String node, String token) {
        public Credentials {
            requireNonNull(node, "node");
            requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            // Never log the token.
            return "Credentials[node=" + node + "]";
        }
    }
}
