package io.trellis.ovs.openflow.it;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One line of {@code ovs-ofctl -O OpenFlow15 dump-flows}, parsed on the test side, e.g.
 * {@code cookie=0x1234, duration=0.1s, table=1, n_packets=0, n_bytes=0, idle_timeout=30,
 * priority=100,tcp,in_port=5 actions=output:6}. Statistics that change over time (duration, ages)
 * are dropped; match fields keep OVS's spelling, prerequisite shorthands ({@code ip}, {@code tcp})
 * are fields with an empty value.
 */
public record OfctlFlow(int table, int priority, long cookie, int idleTimeout, int hardTimeout, long packets,
                        long bytes, Set<String> flags, Map<String, String> match, String actions) {

    /** What ovs-ofctl omits from a dump when the flow has OFP_DEFAULT_PRIORITY. */
    public static final int DEFAULT_PRIORITY = 0x8000;

    private static final Set<String> VOLATILE = Set.of("duration", "idle_age", "hard_age");
    private static final Set<String> FLAG_WORDS = Set.of("send_flow_rem", "check_overlap", "reset_counts",
            "no_packet_counts", "no_byte_counts");

    public OfctlFlow {
        flags = Set.copyOf(requireNonNull(flags, "flags"));
        match = Map.copyOf(requireNonNull(match, "match"));
        requireNonNull(actions, "actions");
    }

    /** Parses every flow line of a dump (the reply header line and blank lines are skipped). */
    public static List<OfctlFlow> parseDump(String dump) {
        List<OfctlFlow> flows = new ArrayList<>();
        for (String line : dump.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("OFPST_FLOW") || l.startsWith("NXST_FLOW")) {
                continue;
            }
            flows.add(parse(l));
        }
        return flows;
    }

    public static OfctlFlow parse(String line) {
        String l = line.strip();
        int at = l.startsWith("actions=") ? 0 : l.indexOf(" actions=");
        if (at < 0) {
            throw new IllegalArgumentException("no actions in dump-flows line: " + line);
        }
        String left = l.substring(0, at);
        String actions = l.substring(at == 0 ? "actions=".length() : at + " actions=".length()).strip();
        int table = 0;
        int priority = DEFAULT_PRIORITY;
        long cookie = 0;
        int idle = 0;
        int hard = 0;
        long packets = 0;
        long bytes = 0;
        List<String> flags = new ArrayList<>();
        Map<String, String> match = new LinkedHashMap<>();
        for (String token : left.split("[ ,]+")) {
            if (token.isEmpty()) {
                continue;
            }
            int eq = token.indexOf('=');
            String key = eq < 0 ? token : token.substring(0, eq);
            String value = eq < 0 ? "" : token.substring(eq + 1);
            switch (key) {
                case "table" -> table = Integer.parseInt(value);
                case "priority" -> priority = Integer.parseInt(value);
                case "cookie" -> cookie = Long.parseUnsignedLong(value.substring(2), 16);
                case "idle_timeout" -> idle = Integer.parseInt(value);
                case "hard_timeout" -> hard = Integer.parseInt(value);
                case "n_packets" -> packets = Long.parseLong(value);
                case "n_bytes" -> bytes = Long.parseLong(value);
                case "importance" -> { /* not used by Trellis */ }
                default -> {
                    if (VOLATILE.contains(key)) {
                        continue;
                    }
                    if (FLAG_WORDS.contains(key)) {
                        flags.add(key);
                    } else if (match.put(key, value) != null) {
                        throw new IllegalArgumentException("field " + key + " twice in: " + line);
                    }
                }
            }
        }
        return new OfctlFlow(table, priority, cookie, idle, hard, packets, bytes, Set.copyOf(flags), match, actions);
    }

    /**
     * Parses just a match in ovs-ofctl syntax ({@code priority=..} excluded), e.g. FlowText's
     * rendering, into the same field map as {@link #match()}.
     */
    public static Map<String, String> parseMatch(String text) {
        Map<String, String> match = new LinkedHashMap<>();
        for (String token : text.strip().split(",")) {
            if (token.isEmpty()) {
                continue;
            }
            int eq = token.indexOf('=');
            match.put(eq < 0 ? token : token.substring(0, eq), eq < 0 ? "" : token.substring(eq + 1));
        }
        return match;
    }

    /** The flow without its counters: what two bridges with the same flow table agree on. */
    public OfctlFlow withoutCounters() {
        return new OfctlFlow(table, priority, cookie, idleTimeout, hardTimeout, 0, 0, flags, match, actions);
    }
}
