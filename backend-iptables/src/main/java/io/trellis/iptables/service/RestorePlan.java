package io.trellis.iptables.service;

import static java.util.Objects.requireNonNull;

import io.trellis.iptables.service.RuleSet.Jump;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code iptables-restore --noflush} inputs that take the tables from one state to another,
 * touching only chains whose rules differ (pure: no I/O). A chain to (re)write is declared
 * ({@code :CHAIN - [0:0]}, which creates it or flushes it) and refilled; a chain no longer wanted is
 * declared and deleted ({@code -X}) after the rules referring to it were rewritten. Chains that did
 * not change are not named, so their rules and counters stay.
 *
 * <p>A plan is a list of transactions, applied in order. Up to {@code maxChains} chains to write or
 * delete it is one transaction. Beyond that it is split, because iptables-nft-restore (1.8.x) records
 * every chain a command names, and its jump target, in a name-sorted linked list (its partial cache
 * request, {@code nft_cache_level_set}): each command walks that list, so one transaction costs
 * commands x chains string compares, minutes of CPU for thousands of Services. The split keeps what
 * is visible consistent: first the chains Services' chains jump to (the masquerade mark), then the
 * Services' own chains in transactions of whole Services (a Service's balancing and endpoint chains
 * always together; nothing jumps to new chains yet), then one transaction with the shared chains that
 * jump to them (nat TRELLIS-SERVICES, TRELLIS-NODEPORTS, the filter chains) and the jumps from built-in
 * chains, so every Service changes its entry rules at once, last the chains no longer wanted,
 * deleted referrers first ({@link #deleteOrder}).
 */
final class RestorePlan {

    /**
     * Chains written or deleted per transaction in a split plan (about 90 Services of 10 endpoints):
     * measured on iptables-nft 1.8.9, 10,000 Services x 10 endpoints took ~15 s in transactions of
     * 1,000 to 2,750 chains; in one transaction 2,000 Services already took 59 s of CPU (hours at 10,000).
     */
    static final int CHAINS_PER_TRANSACTION = 1000;

    private static final List<String> TABLES = List.of(ChainNames.NAT, ChainNames.FILTER);

    private RestorePlan() {
    }

    /**
     * From a state this proxy applied itself ({@code before}) to {@code after}; the jumps from
     * built-in chains are assumed present (they were checked when {@code before} was converged).
     * Empty when nothing changed.
     */
    static List<String> incremental(RuleSet before, RuleSet after, int maxChains) {
        requireNonNull(before, "before");
        requireNonNull(after, "after");
        List<TableChange> changes = new ArrayList<>();
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
            changes.add(new TableChange(table, write, delete, List.of()));
        }
        return transactions(after, changes, maxChains);
    }

    /**
     * From what the kernel holds ({@code saved}, e.g. after an agent restart or a failed apply) to
     * {@code after}: chains whose kernel rules differ are rewritten, our chains that are not wanted
     * are deleted (an earlier run's Services), missing jumps are inserted first in their built-in
     * chain and duplicated ones deleted. Chains of other programs are never named. Empty when the
     * kernel already holds {@code after}.
     */
    static List<String> converge(SavedTables saved, RuleSet after, int maxChains) {
        requireNonNull(saved, "saved");
        requireNonNull(after, "after");
        List<TableChange> changes = new ArrayList<>();
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
            changes.add(new TableChange(table, write, delete, jumpFixes(table, present)));
        }
        return transactions(after, changes, maxChains);
    }

    /**
     * Removes every chain this proxy owns from {@code saved}'s tables and every rule of another chain
     * that jumps to one (only those: other rules of the built-in chains stay). Empty when none is there.
     * Beyond {@code maxChains} chains: the jumps first, then the chains in transactions of up to
     * {@code maxChains}, referrers first.
     */
    static List<String> uninstall(SavedTables saved, int maxChains) {
        requireNonNull(saved, "saved");
        requirePositive(maxChains);
        Map<String, List<String>> jumps = new LinkedHashMap<>();
        Map<String, List<String>> owned = new LinkedHashMap<>();
        for (String table : TABLES) {
            Map<String, List<String>> present = saved.chains(table);
            List<String> lines = new ArrayList<>();
            present.forEach((chain, rules) -> {
                if (!ChainNames.isOwned(chain)) {
                    rules.stream().filter(r -> ChainNames.isOwned(target(r)))
                            .forEach(r -> lines.add("-D " + chain + " " + r));
                }
            });
            jumps.put(table, lines);
            owned.put(table, present.keySet().stream().filter(ChainNames::isOwned).toList());
        }
        List<String> out = new ArrayList<>();
        if (owned.values().stream().mapToInt(List::size).sum() <= maxChains) {
            StringBuilder one = new StringBuilder();
            for (String table : TABLES) {
                if (owned.get(table).isEmpty() && jumps.get(table).isEmpty()) {
                    continue;
                }
                one.append('*').append(table).append('\n');
                // Declared (so flushed) before any -X: our chains refer to each other.
                owned.get(table).forEach(c -> one.append(':').append(c).append(" - [0:0]\n"));
                jumps.get(table).forEach(l -> one.append(l).append('\n'));
                owned.get(table).forEach(c -> one.append("-X ").append(c).append('\n'));
                one.append("COMMIT\n");
            }
            return one.isEmpty() ? List.of() : List.of(one.toString());
        }
        StringBuilder unhook = new StringBuilder();
        for (String table : TABLES) {
            if (!jumps.get(table).isEmpty()) {
                unhook.append('*').append(table).append('\n');
                jumps.get(table).forEach(l -> unhook.append(l).append('\n'));
                unhook.append("COMMIT\n");
            }
        }
        if (!unhook.isEmpty()) {
            out.add(unhook.toString());
        }
        for (String table : TABLES) {
            out.addAll(deletions(table, owned.get(table), maxChains));
        }
        return out;
    }

    /** The transactions of {@code changes}: one when they name up to {@code maxChains} chains, else split. */
    private static List<String> transactions(RuleSet after, List<TableChange> changes, int maxChains) {
        requirePositive(maxChains);
        int named = changes.stream().mapToInt(c -> c.write().size() + c.delete().size()).sum();
        if (named <= maxChains) {
            StringBuilder out = new StringBuilder();
            changes.forEach(c -> section(out, c.table(), after.chains(c.table()), c.write(), c.delete(), c.jumpLines()));
            return out.isEmpty() ? List.of() : List.of(out.toString());
        }
        Set<String> serviceOwned = new HashSet<>();
        after.serviceChains().forEach(serviceOwned::addAll);
        // What Services' chains jump to (besides each other) must exist before them.
        Set<String> referenced = new HashSet<>();
        after.serviceChains().forEach(chains -> chains.forEach(chain -> after.chains(ChainNames.NAT).get(chain)
                .forEach(rule -> referenced.add(target(rule)))));
        List<String> out = new ArrayList<>();
        StringBuilder prelude = new StringBuilder();
        for (TableChange c : changes) {
            List<String> first = c.write().stream()
                    .filter(ch -> !serviceOwned.contains(ch) && referenced.contains(ch)).toList();
            section(prelude, c.table(), after.chains(c.table()), first, List.of(), List.of());
        }
        if (!prelude.isEmpty()) {
            out.add(prelude.toString());
        }
        for (TableChange c : changes) {
            if (!c.table().equals(ChainNames.NAT)) {
                continue; // Services own nat chains only
            }
            Set<String> write = new HashSet<>(c.write());
            List<String> chunk = new ArrayList<>();
            for (List<String> service : after.serviceChains()) {
                List<String> mine = service.stream().filter(write::contains).toList();
                if (!chunk.isEmpty() && chunk.size() + mine.size() > maxChains) {
                    out.add(section(c.table(), after.chains(c.table()), chunk));
                    chunk = new ArrayList<>();
                }
                chunk.addAll(mine);
            }
            if (!chunk.isEmpty()) {
                out.add(section(c.table(), after.chains(c.table()), chunk));
            }
        }
        StringBuilder shared = new StringBuilder();
        for (TableChange c : changes) {
            List<String> last = c.write().stream()
                    .filter(ch -> !serviceOwned.contains(ch) && !referenced.contains(ch)).toList();
            section(shared, c.table(), after.chains(c.table()), last, List.of(), c.jumpLines());
        }
        if (!shared.isEmpty()) {
            out.add(shared.toString());
        }
        for (TableChange c : changes) {
            out.addAll(deletions(c.table(), c.delete(), maxChains));
        }
        return out;
    }

    /**
     * Transactions deleting {@code chains} of {@code table}, up to {@code maxChains} each, each chain
     * flushed and deleted; ordered so that a chain is deleted no earlier than every chain of ours that
     * may jump to it (nothing else refers to them by then: the rules that did were rewritten before).
     */
    private static List<String> deletions(String table, List<String> chains, int maxChains) {
        List<String> ordered = new ArrayList<>(chains);
        ordered.sort(Comparator.comparingInt(RestorePlan::deleteOrder));
        List<String> out = new ArrayList<>();
        for (int from = 0; from < ordered.size(); from += maxChains) {
            List<String> chunk = ordered.subList(from, Math.min(ordered.size(), from + maxChains));
            StringBuilder text = new StringBuilder();
            section(text, table, Map.of(), List.of(), chunk, List.of());
            out.add(text.toString());
        }
        return out;
    }

    /**
     * Referrers before their targets: the fixed entry chains (jumping to SVC and EXT chains), EXT
     * (to SVC, SVL), SVC and SVL (to SEP), SEP, last the masquerade mark every other chain may jump to.
     */
    static int deleteOrder(String chain) {
        if (chain.equals(ChainNames.MARK_MASQ)) {
            return 4;
        }
        if (ChainNames.FIXED.values().stream().anyMatch(fixed -> fixed.contains(chain))) {
            return 0;
        }
        if (chain.startsWith(ChainNames.EXT)) {
            return 1;
        }
        if (chain.startsWith(ChainNames.SVC) || chain.startsWith(ChainNames.SVL)) {
            return 2;
        }
        return 3;
    }

    private static String section(String table, Map<String, List<String>> wanted, List<String> write) {
        StringBuilder out = new StringBuilder();
        section(out, table, wanted, write, List.of(), List.of());
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

    private static void requirePositive(int maxChains) {
        if (maxChains < 1) {
            throw new IllegalArgumentException("maxChains must be at least 1, got " + maxChains);
        }
    }

    /** The chains of one table to write and delete, and the jump fixes of its built-in chains. */
    private record TableChange(String table, List<String> write, List<String> delete, List<String> jumpLines) {
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
