package io.trellis.iptables.service;

import static java.util.Objects.requireNonNull;

import io.trellis.iptables.service.RuleSet.Jump;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code iptables-restore --noflush} input that takes the tables from one state to another,
 * touching only chains whose rules differ (pure: no I/O). A chain to (re)write is declared
 * ({@code :CHAIN - [0:0]}, which creates it or flushes it) and refilled; a chain no longer wanted is
 * declared and deleted ({@code -X}) after the rules referring to it were rewritten in the same
 * transaction. Chains that did not change are not named, so their rules and counters stay.
 */
final class RestorePlan {

    private static final List<String> TABLES = List.of(ChainNames.NAT, ChainNames.FILTER);

    private RestorePlan() {
    }

    /**
     * From a state this proxy applied itself ({@code before}) to {@code after}; the jumps from
     * built-in chains are assumed present (they were checked when {@code before} was converged).
     * Empty when nothing changed.
     */
    static String incremental(RuleSet before, RuleSet after) {
        requireNonNull(before, "before");
        requireNonNull(after, "after");
        StringBuilder out = new StringBuilder();
        for (String table : TABLES) {
            Map<String, List<String>> old = before.chains(table);
            Map<String, List<String>> wanted = after.chains(table);
            List<String> write = new ArrayList<>();
            wanted.forEach((chain, rules) -> {
                if (!rules.equals(old.get(chain))) {
                    write.add(chain);
                }
            });
            List<String> delete = old.keySet().stream().filter(c -> !wanted.containsKey(c)).toList();
            section(out, table, wanted, write, delete, List.of());
        }
        return out.toString();
    }

    /**
     * From what the kernel holds ({@code saved}, e.g. after an agent restart or a failed apply) to
     * {@code after}: chains whose kernel rules differ are rewritten, our chains that are not wanted
     * are deleted (an earlier run's Services), missing jumps are inserted first in their built-in
     * chain and duplicated ones deleted. Chains of other programs are never named. Empty when the
     * kernel already holds {@code after}.
     */
    static String converge(SavedTables saved, RuleSet after) {
        requireNonNull(saved, "saved");
        requireNonNull(after, "after");
        StringBuilder out = new StringBuilder();
        for (String table : TABLES) {
            Map<String, List<String>> present = saved.chains(table);
            Map<String, List<String>> wanted = after.chains(table);
            List<String> write = new ArrayList<>();
            wanted.forEach((chain, rules) -> {
                if (!sameRules(present.get(chain), rules)) {
                    write.add(chain);
                }
            });
            List<String> delete = present.keySet().stream()
                    .filter(c -> ChainNames.isOwned(c) && !wanted.containsKey(c)).toList();
            section(out, table, wanted, write, delete, jumpFixes(table, present));
        }
        return out.toString();
    }

    /**
     * Removes every chain this proxy owns from {@code saved}'s tables and every rule of another chain
     * that jumps to one (only those: other rules of the built-in chains stay). Empty when none is there.
     */
    static String uninstall(SavedTables saved) {
        requireNonNull(saved, "saved");
        StringBuilder out = new StringBuilder();
        for (String table : TABLES) {
            Map<String, List<String>> present = saved.chains(table);
            List<String> lines = new ArrayList<>();
            present.forEach((chain, rules) -> {
                if (!ChainNames.isOwned(chain)) {
                    rules.stream().filter(r -> ChainNames.isOwned(target(r)))
                            .forEach(r -> lines.add("-D " + chain + " " + r));
                }
            });
            List<String> owned = present.keySet().stream().filter(ChainNames::isOwned).toList();
            if (owned.isEmpty() && lines.isEmpty()) {
                continue;
            }
            out.append('*').append(table).append('\n');
            // Declared (so flushed) before any -X: our chains refer to each other.
            owned.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
            lines.forEach(l -> out.append(l).append('\n'));
            owned.forEach(c -> out.append("-X ").append(c).append('\n'));
            out.append("COMMIT\n");
        }
        return out.toString();
    }

    private static void section(StringBuilder out, String table, Map<String, List<String>> wanted, List<String> write,
                                List<String> delete, List<String> jumpLines) {
        if (write.isEmpty() && delete.isEmpty() && jumpLines.isEmpty()) {
            return;
        }
        out.append('*').append(table).append('\n');
        write.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        delete.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        for (String chain : write) {
            for (String rule : wanted.get(chain)) {
                out.append("-A ").append(chain).append(' ').append(rule).append('\n');
            }
        }
        jumpLines.forEach(l -> out.append(l).append('\n'));
        delete.forEach(c -> out.append("-X ").append(c).append('\n'));
        out.append("COMMIT\n");
    }

    /** {@code -I} for missing jumps of {@code table}, {@code -D} for duplicates. */
    private static List<String> jumpFixes(String table, Map<String, List<String>> present) {
        List<String> lines = new ArrayList<>();
        List<Jump> missing = new ArrayList<>();
        for (Jump jump : RuleSet.JUMPS) {
            if (!jump.table().equals(table)) {
                continue;
            }
            List<String> existing = present.getOrDefault(jump.from(), List.of()).stream()
                    .filter(r -> target(r).equals(jump.target())).toList();
            if (existing.isEmpty()) {
                missing.add(jump);
            }
            for (int i = 1; i < existing.size(); i++) {
                lines.add("-D " + jump.from() + " " + existing.get(i));
            }
        }
        // Inserted at position 1 in reverse, so they end up in JUMPS order ahead of other programs' rules.
        for (int i = missing.size() - 1; i >= 0; i--) {
            lines.add("-I " + missing.get(i).from() + " 1 " + missing.get(i).spec());
        }
        return lines;
    }

    /** Whether the kernel's rules (iptables-save specs) are {@code wanted}, whitespace aside. */
    private static boolean sameRules(List<String> present, List<String> wanted) {
        if (present == null || present.size() != wanted.size()) {
            return false;
        }
        for (int i = 0; i < wanted.size(); i++) {
            if (!Arrays.equals(words(present.get(i)), words(wanted.get(i)))) {
                return false;
            }
        }
        return true;
    }

    private static String[] words(String spec) {
        return spec.strip().split("\\s+");
    }

    /** The {@code -j} target of a rule spec, or "" without one. */
    static String target(String spec) {
        String[] w = words(spec);
        for (int i = 0; i < w.length - 1; i++) {
            if (Objects.equals(w[i], "-j") || Objects.equals(w[i], "--jump")) {
                return w[i + 1];
            }
        }
        return "";
    }
}
