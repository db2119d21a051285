package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The difference between the flows the agent wants and the agent-owned flows a switch holds.
 *
 * @param missing    wanted but not on the switch (or on it with other actions or cookie)
 * @param unexpected on the switch but not wanted: stale, changed or duplicated flows
 */
public record FlowDiff(List<FlowLine> missing, List<FlowLine> unexpected) {

    public FlowDiff {
        missing = List.copyOf(requireNonNull(missing, "missing"));
        unexpected = List.copyOf(requireNonNull(unexpected, "unexpected"));
    }

    /**
     * Compares as multisets (a line held twice on the switch but wanted once is one unexpected
     * line); both result lists are sorted.
     */
    public static FlowDiff between(Collection<FlowLine> desired, Collection<FlowLine> actual) {
        Map<FlowLine, Integer> remaining = new TreeMap<>();
        for (FlowLine line : actual) {
            remaining.merge(line, 1, Integer::sum);
        }
        List<FlowLine> missing = new ArrayList<>();
        for (FlowLine line : desired) {
            Integer count = remaining.get(line);
            if (count == null) {
                missing.add(line);
            } else if (count == 1) {
                remaining.remove(line);
            } else {
                remaining.put(line, count - 1);
            }
        }
        List<FlowLine> unexpected = new ArrayList<>();
        remaining.forEach((line, count) -> {
            for (int i = 0; i < count; i++) {
                unexpected.add(line);
            }
        });
        missing.sort(null);
        return new FlowDiff(missing, unexpected);
    }

    public boolean isEmpty() {
        return missing.isEmpty() && unexpected.isEmpty();
    }

    /** {@code - line} for each missing flow, {@code + line} for each unexpected one; "in sync" if none. */
    @Override
    public String toString() {
        if (isEmpty()) {
            return "in sync";
        }
        StringBuilder sb = new StringBuilder();
        missing.forEach(l -> sb.append("- ").append(l).append('\n'));
        unexpected.forEach(l -> sb.append("+ ").append(l).append('\n'));
        return sb.toString();
    }
}
