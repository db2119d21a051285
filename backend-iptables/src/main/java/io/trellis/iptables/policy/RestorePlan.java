package io.trellis.iptables.policy;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a wanted ruleset and the saved filter table into one {@code iptables-restore -c --noflush}
 * transaction that rewrites only the chains that differ, removes chains of ours no longer wanted and
 * makes sure FORWARD and INPUT each jump to {@value PolicyNames#ENTRY} exactly once. Pure.
 *
 * <p>A rewritten chain keeps the counters of every line it had before (same text): the default-deny
 * drops of a pod and the established counts of the rules go on counting across updates.
 *
 * <p>The jumps are inserted at the top when missing, but not moved when present lower: other
 * programs may insert their own jumps above ours, and moving back and forth would rewrite FORWARD at
 * every sync. Our chain only ever drops, so what matters is that it comes before rules that accept
 * pod traffic (the pod bridge's TRELLIS-POD-FORWARD is appended at the end).
 */
final class RestorePlan {

    /** The built-in chains that jump to the entry chain. */
    static final List<String> HOOKS = List.of("FORWARD", "INPUT");
    static final String JUMP = "-m comment --comment \"trellis network policy\" -j " + PolicyNames.ENTRY;

    private RestorePlan() {
    }

    /** The transaction, or an empty string when the table already is as wanted. */
    static String of(PolicyRuleset wanted, SavedFilter saved) {
        requireNonNull(wanted, "wanted");
        requireNonNull(saved, "saved");
        List<String> declare = new ArrayList<>();
        List<String> body = new ArrayList<>();
        wanted.chains().forEach((chain, rules) -> {
            if (saved.has(chain) && specs(saved.rules(chain)).equals(rules)) {
                return;
            }
            declare.add(chain);
            Map<String, Deque<SavedFilter.Rule>> old = new HashMap<>();
            saved.rules(chain).forEach(r -> old.computeIfAbsent(r.spec(), k -> new ArrayDeque<>()).add(r));
            for (String rule : rules) {
                Deque<SavedFilter.Rule> same = old.get(rule);
                SavedFilter.Rule kept = same == null ? null : same.poll();
                long packets = kept == null ? 0 : kept.packets();
                long bytes = kept == null ? 0 : kept.bytes();
                body.add("[" + packets + ":" + bytes + "] -A " + chain + " " + rule);
            }
        });
        List<String> stale = saved.chainNames().stream()
                .filter(c -> PolicyNames.isOwnChain(c) && !wanted.chains().containsKey(c)).toList();
        declare.addAll(stale);
        for (String hook : HOOKS) {
            List<SavedFilter.Rule> jumps = saved.rules(hook).stream().filter(r -> jumpsToOwn(r.spec())).toList();
            List<SavedFilter.Rule> entry = jumps.stream().filter(r -> targetOf(r.spec()).equals(PolicyNames.ENTRY))
                    .toList();
            if (entry.isEmpty()) {
                body.add("-I " + hook + " 1 " + JUMP);
            }
            for (SavedFilter.Rule r : jumps) {
                // Extra jumps to the entry, and jumps to any other chain of ours (not from this version).
                if (entry.isEmpty() || r != entry.get(0)) {
                    body.add("-D " + hook + " " + r.spec());
                }
            }
        }
        if (declare.isEmpty() && body.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("*filter\n");
        declare.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        body.forEach(l -> out.append(l).append('\n'));
        stale.forEach(c -> out.append("-X ").append(c).append('\n'));
        return out.append("COMMIT\n").toString();
    }

    /**
     * The transaction removing everything of ours: jumps from any other chain to ours, then our
     * chains (flushed, then deleted); empty when there is nothing.
     */
    static String uninstall(SavedFilter saved) {
        requireNonNull(saved, "saved");
        List<String> own = saved.chainNames().stream().filter(PolicyNames::isOwnChain).toList();
        StringBuilder body = new StringBuilder();
        for (String chain : saved.chainNames()) {
            if (PolicyNames.isOwnChain(chain)) {
                continue;
            }
            saved.rules(chain).stream().filter(r -> jumpsToOwn(r.spec()))
                    .forEach(r -> body.append("-D ").append(chain).append(' ').append(r.spec()).append('\n'));
        }
        if (own.isEmpty() && body.length() == 0) {
            return "";
        }
        StringBuilder out = new StringBuilder("*filter\n");
        own.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        out.append(body);
        own.forEach(c -> out.append("-X ").append(c).append('\n'));
        return out.append("COMMIT\n").toString();
    }

    private static List<String> specs(List<SavedFilter.Rule> rules) {
        return rules.stream().map(SavedFilter.Rule::spec).toList();
    }

    private static boolean jumpsToOwn(String spec) {
        return PolicyNames.isOwnChain(targetOf(spec));
    }

    /** The chain or target after the last {@code -j}/{@code -g}; empty when there is none. */
    static String targetOf(String spec) {
        String[] words = spec.split(" ");
        for (int i = words.length - 2; i >= 0; i--) {
            if (words[i].equals("-j") || words[i].equals("-g")) {
                return words[i + 1];
            }
        }
        return "";
    }
}
