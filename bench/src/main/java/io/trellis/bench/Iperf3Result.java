package io.trellis.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What one iperf3 TCP client run reports with {@code -J}: the receiver's throughput over the measured
 * interval (what arrived, so retransmitted bytes count once), the sender's, TCP retransmissions, the
 * MSS the connection used and the number of parallel streams.
 */
record Iperf3Result(double receivedBitsPerSecond, double sentBitsPerSecond, long retransmits, double seconds,
        int streams, int mss) {
    private static final ObjectMapper JSON = new ObjectMapper();

    Iperf3Result {
        if (!(receivedBitsPerSecond > 0)) {
            throw new IllegalArgumentException("receiver throughput must be positive, got " + receivedBitsPerSecond);
        }
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("measured seconds must be positive, got " + seconds);
        }
    }

    double receivedMbitPerSecond() {
        return receivedBitsPerSecond / 1e6;
    }

    /**
     * Parses {@code iperf3 -c ... -J}. A run that failed (iperf3 then prints {@code "error"} and an empty
     * {@code end}) or output that is not iperf3's TCP report gives an exception naming what is missing.
     */
    static Iperf3Result parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("iperf3 output is not JSON: " + excerpt(json), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("iperf3 output is not a JSON object: " + excerpt(json));
        }
        if (root.hasNonNull("error")) {
            throw new IllegalStateException("iperf3 failed: " + root.get("error").asText());
        }
        JsonNode received = root.path("end").path("sum_received");
        JsonNode sent = root.path("end").path("sum_sent");
        return new Iperf3Result(
                number(received, "end.sum_received.bits_per_second", "bits_per_second").doubleValue(),
                number(sent, "end.sum_sent.bits_per_second", "bits_per_second").doubleValue(),
                // UDP reports carry no retransmits; this benchmark only runs TCP, where iperf3 always has them.
                number(sent, "end.sum_sent.retransmits", "retransmits").longValue(),
                number(received, "end.sum_received.seconds", "seconds").doubleValue(),
                number(root.path("start").path("test_start"), "start.test_start.num_streams", "num_streams").intValue(),
                number(root.path("start"), "start.tcp_mss_default", "tcp_mss_default").intValue());
    }

    private static JsonNode number(JsonNode parent, String path, String field) {
        JsonNode value = parent.path(field);
        if (!value.isNumber()) {
            throw new IllegalArgumentException("iperf3 output: " + path + " is "
                    + (value.isMissingNode() ? "missing" : "not a number: " + value));
        }
        return value;
    }

    private static String excerpt(String text) {
        String oneLine = text == null ? "null" : text.strip().replaceAll("\\s+", " ");
        return "'" + (oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine) + "'";
    }
}
