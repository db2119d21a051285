package io.trellis.lab.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A reachability matrix between sources (pods, "NS/POD") and targets (the same pods, plus addresses outside the
 * cluster): which ordered pairs can talk on one port and protocol. The conformance tests write the expected
 * matrix by hand per scenario, starting from "everything allowed" and stating what the policies change; the
 * probe fills an observed one; {@link #report} prints both and the differences. Deliberately no policy
 * evaluation here: the expectation must not come from an implementation of the rules under test.
 * A pod and itself are never a pair (node-local traffic is out of scope).
 */
final class Reachability {
    private final List<String> sources;
    private final List<String> targets;
    /** source -> target -> allowed. */
    private final Map<String, Map<String, Boolean>> cells = new LinkedHashMap<>();

    /** Every pod a source and a target, plus {@code externalTargets}; every pair {@code allowed}. */
    Reachability(List<String> pods, List<String> externalTargets, boolean allowed) {
        this.sources = List.copyOf(pods);
        List<String> all = new ArrayList<>(pods);
        for (String external : externalTargets) {
            if (pods.contains(external)) {
                throw new IllegalArgumentException("external target " + external + " is also a pod");
            }
            all.add(external);
        }
        this.targets = List.copyOf(all);
        for (String from : sources) {
            Map<String, Boolean> row = new LinkedHashMap<>();
            for (String to : targets) {
                if (!from.equals(to)) {
                    row.put(to, allowed);
                }
            }
            cells.put(from, row);
        }
    }

    Reachability(List<String> pods, boolean allowed) {
        this(pods, List.of(), allowed);
    }

    List<String> sources() {
        return sources;
    }

    List<String> targets() {
        return targets;
    }

    /** A copy with the same pairs and values. */
    Reachability copy() {
        Reachability copy = new Reachability(sources, targets.subList(sources.size(), targets.size()), true);
        cells.forEach((from, row) -> row.forEach((to, allowed) -> copy.cells.get(from).put(to, allowed)));
        return copy;
    }

    /** One ordered pair. */
    Reachability expect(String from, String to, boolean allowed) {
        row(from).put(checkTarget(from, to), allowed);
        return this;
    }

    /** Every source to {@code to}. */
    Reachability expectAllIngress(String to, boolean allowed) {
        checkTarget(null, to);
        for (String from : sources) {
            if (!from.equals(to)) {
                cells.get(from).put(to, allowed);
            }
        }
        return this;
    }

    /** {@code from} to every target (pods and external). */
    Reachability expectAllEgress(String from, boolean allowed) {
        row(from).replaceAll((to, old) -> allowed);
        return this;
    }

    /** Every pod of namespace {@code namespace} to {@code to}. */
    Reachability expectFromNamespace(String namespace, String to, boolean allowed) {
        for (String from : sources) {
            if (namespaceOf(from).equals(namespace) && !from.equals(to)) {
                expect(from, to, allowed);
            }
        }
        return this;
    }

    /** {@code from} to every pod of namespace {@code namespace}. */
    Reachability expectToNamespace(String from, String namespace, boolean allowed) {
        for (String to : sources) {
            if (namespaceOf(to).equals(namespace) && !from.equals(to)) {
                expect(from, to, allowed);
            }
        }
        return this;
    }

    boolean allowed(String from, String to) {
        Boolean allowed = row(from).get(checkTarget(from, to));
        return allowed;
    }

    /** The pairs where {@code observed} differs from this expectation, one line each. */
    List<String> mismatches(Reachability observed) {
        if (!sources.equals(observed.sources) || !targets.equals(observed.targets)) {
            throw new IllegalArgumentException("matrices over different pods: " + sources + " -> " + targets + " vs "
                    + observed.sources + " -> " + observed.targets);
        }
        List<String> lines = new ArrayList<>();
        cells.forEach((from, row) -> row.forEach((to, allowed) -> {
            boolean seen = observed.cells.get(from).get(to);
            if (seen != allowed) {
                lines.add(from + " -> " + to + ": expected " + word(allowed) + ", observed " + word(seen));
            }
        }));
        return lines;
    }

    long count(boolean allowed) {
        return cells.values().stream().flatMap(r -> r.values().stream()).filter(v -> v == allowed).count();
    }

    /** The matrix as a table: rows are sources, columns targets; '.' allowed, 'X' denied, '-' no pair. */
    String render() {
        int width = targets.stream().mapToInt(String::length).max().orElse(1) + 1;
        int first = Math.max(sources.stream().mapToInt(String::length).max().orElse(1), "from\\to".length()) + 1;
        StringBuilder out = new StringBuilder(pad("from\\to", first));
        targets.forEach(t -> out.append(pad(t, width)));
        out.append('\n');
        for (String from : sources) {
            out.append(pad(from, first));
            for (String to : targets) {
                Boolean allowed = cells.get(from).get(to);
                out.append(pad(allowed == null ? "-" : allowed ? "." : "X", width));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Expected and observed matrices and their differences, for a failure message. */
    static String report(String what, Reachability expected, Reachability observed) {
        List<String> mismatches = expected.mismatches(observed);
        return what + ": " + mismatches.size() + " of " + (expected.count(true) + expected.count(false))
                + " pairs differ ('.' allowed, 'X' denied)\nexpected:\n" + expected.render() + "observed:\n"
                + observed.render() + "differences:\n  " + String.join("\n  ", mismatches) + "\n";
    }

    private Map<String, Boolean> row(String from) {
        Map<String, Boolean> row = cells.get(from);
        if (row == null) {
            throw new IllegalArgumentException("unknown source pod " + from + " (pods: " + sources + ")");
        }
        return row;
    }

    private String checkTarget(String from, String to) {
        if (!targets.contains(to)) {
            throw new IllegalArgumentException("unknown target " + to + " (targets: " + targets + ")");
        }
        if (Objects.equals(from, to)) {
            throw new IllegalArgumentException(from + " to itself is not a pair");
        }
        return to;
    }

    private static String namespaceOf(String pod) {
        int slash = pod.indexOf('/');
        return slash < 0 ? "" : pod.substring(0, slash);
    }

    private static String word(boolean allowed) {
        return allowed ? "allowed" : "denied";
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reachability r && sources.equals(r.sources) && targets.equals(r.targets)
                && cells.equals(r.cells);
    }

    @Override
    public int hashCode() {
        return cells.hashCode();
    }

    @Override
    public String toString() {
        return render();
    }
}
