package io.trellis.iptables.policy;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The filter table as {@code iptables-save [-c] -t filter} prints it: every chain with its rules, in
 * order, with their counters (0 when saved without {@code -c}).
 */
final class SavedFilter {

    /** One rule: its counters and its specification without {@code -A CHAIN}. */
    record Rule(long packets, long bytes, String spec) {
        Rule {
            requireNonNull(spec, "spec");
        }
    }

    private static final Pattern COUNTED = Pattern.compile("\\[(\\d+):(\\d+)\\] -A (\\S+) (.*)");
    private static final Pattern PLAIN = Pattern.compile("-A (\\S+) (.*)");

    static final SavedFilter EMPTY = new SavedFilter(Map.of());

    private final Map<String, List<Rule>> chains;

    private SavedFilter(Map<String, List<Rule>> chains) {
        this.chains = chains;
    }

    /** Parses the output; only the {@code *filter} section is read. */
    static SavedFilter parse(String text) {
        requireNonNull(text, "text");
        Map<String, List<Rule>> chains = new LinkedHashMap<>();
        boolean inFilter = false;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("*")) {
                inFilter = line.equals("*filter");
                continue;
            }
            if (!inFilter || line.isEmpty() || line.startsWith("#") || line.equals("COMMIT")) {
                continue;
            }
            if (line.startsWith(":")) {
                int space = line.indexOf(' ');
                chains.putIfAbsent(space < 0 ? line.substring(1) : line.substring(1, space), new ArrayList<>());
                continue;
            }
            Matcher c = COUNTED.matcher(line);
            if (c.matches()) {
                chains.computeIfAbsent(c.group(3), k -> new ArrayList<>())
                        .add(new Rule(Long.parseLong(c.group(1)), Long.parseLong(c.group(2)), c.group(4)));
                continue;
            }
            Matcher p = PLAIN.matcher(line);
            if (p.matches()) {
                chains.computeIfAbsent(p.group(1), k -> new ArrayList<>()).add(new Rule(0, 0, p.group(2)));
                continue;
            }
            throw new IllegalArgumentException("unexpected iptables-save line: '" + line + "'");
        }
        chains.replaceAll((k, v) -> List.copyOf(v));
        return new SavedFilter(Collections.unmodifiableMap(chains));
    }

    boolean has(String chain) {
        return chains.containsKey(chain);
    }

    /** The rules of {@code chain}; empty when it does not exist. */
    List<Rule> rules(String chain) {
        return chains.getOrDefault(chain, List.of());
    }

    /** Every chain name, in saved order. */
    List<String> chainNames() {
        return List.copyOf(chains.keySet());
    }
}
