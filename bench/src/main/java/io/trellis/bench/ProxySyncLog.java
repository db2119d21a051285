package io.trellis.bench;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The iptables Service proxy's own account of each sync, from its debug lines in the agent log
 * ({@code services: N services synced (from iptables-save|incremental, L restore lines in K transactions)
 * in T ms}; older agents wrote no transaction count: one): one line per batch, each K
 * {@code iptables-restore} runs (plus an {@code iptables-save} when it converged from the kernel), so
 * where the proxy's time goes shows up per batch.
 */
record ProxySyncLog(List<Sync> syncs) {
    private static final Pattern LINE = Pattern.compile(
            "services: (\\d+) services synced \\((from iptables-save|incremental), (\\d+) restore lines"
                    + "(?: in (\\d+) transactions)?\\) in (\\d+) ms");

    /** One batch: the Services the proxy held, how it planned, the restore input's size, in how many runs, its duration. */
    record Sync(int services, boolean fromKernel, long restoreLines, int transactions, long millis) {
    }

    ProxySyncLog {
        syncs = List.copyOf(syncs);
    }

    static ProxySyncLog parse(String log) {
        return new ProxySyncLog(log.lines().map(LINE::matcher).filter(Matcher::find)
                .map(m -> new Sync(Integer.parseInt(m.group(1)), m.group(2).equals("from iptables-save"),
                        Long.parseLong(m.group(3)), m.group(4) == null ? 1 : Integer.parseInt(m.group(4)),
                        Long.parseLong(m.group(5)))).toList());
    }

    long totalMillis() {
        return syncs.stream().mapToLong(Sync::millis).sum();
    }

    /** The batch with the most restore lines (the first full sync, on a start from scratch). */
    Optional<Sync> largest() {
        return syncs.stream().max(Comparator.comparingLong(Sync::restoreLines));
    }

    Optional<Sync> slowest() {
        return syncs.stream().max(Comparator.comparingLong(Sync::millis));
    }

    /** One line for the report, or empty without syncs (debug lines off, or no change). */
    String summary() {
        if (syncs.isEmpty()) {
            return "no sync lines logged";
        }
        Sync big = largest().orElseThrow();
        Sync slow = slowest().orElseThrow();
        return String.format(Locale.ROOT, "%d syncs, %.1f s in all; the largest: %d restore lines in %d transactions for"
                        + " %d Services (%s) in %.1f s; the slowest: %.1f s (%d lines, %d Services)", syncs.size(),
                totalMillis() / 1e3, big.restoreLines(), big.transactions(), big.services(),
                big.fromKernel() ? "from iptables-save" : "incremental",
                big.millis() / 1e3, slow.millis() / 1e3, slow.restoreLines(), slow.services());
    }
}
