package io.trellis.iptables.service;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model of the tables that applies {@code iptables-restore --noflush} input as the tool does and
 * fails where the tool would: a rule whose {@code -j} target is one of our chains that does not exist
 * yet, a {@code -X} of a chain some remaining rule still jumps to, a {@code -D} of a rule that is not
 * there. Tests only: checks the order of a plan's transactions without a kernel.
 */
final class RestoreModel {

    private final Map<String, Map<String, List<String>>> tables = new LinkedHashMap<>();

    /** Starts from {@code state} (copied). */
    RestoreModel(Map<String, Map<String, List<String>>> state) {
        requireNonNull(state, "state").forEach((table, chains) -> {
            Map<String, List<String>> copy = new LinkedHashMap<>();
            chains.forEach((chain, rules) -> copy.put(chain, new ArrayList<>(rules)));
            tables.put(table, copy);
        });
    }

    /** A table as the kernel creates it: its built-in chains, empty. */
    private static Map<String, List<String>> builtIn(String table) {
        Map<String, List<String>> chains = new LinkedHashMap<>();
        List<String> names = table.equals("nat") ? List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING")
                : List.of("INPUT", "FORWARD", "OUTPUT");
        names.forEach(n -> chains.put(n, new ArrayList<>()));
        return chains;
    }

    Map<String, List<String>> chains(String table) {
        return tables.getOrDefault(table, Map.of());
    }

    /** Applies one transaction; throws IllegalStateException naming the line the tool would reject. */
    void apply(String transaction) {
        Map<String, List<String>> current = null;
        for (String line : transaction.split("\n")) {
            if (line.startsWith("*")) {
                current = tables.computeIfAbsent(line.substring(1), RestoreModel::builtIn);
            } else if (line.equals("COMMIT")) {
                current = null;
            } else if (current == null) {
                throw new IllegalStateException("outside a table: " + line);
            } else if (line.startsWith(":")) {
                current.put(line.substring(1, line.indexOf(' ')), new ArrayList<>());
            } else if (line.startsWith("-A ")) {
                String[] parts = line.substring(3).split(" ", 2);
                rulesOf(current, parts[0], line).add(checkTarget(current, parts[1], line));
            } else if (line.startsWith("-I ")) {
                String[] parts = line.substring(3).split(" ", 3);
                rulesOf(current, parts[0], line).add(Integer.parseInt(parts[1]) - 1, checkTarget(current, parts[2], line));
            } else if (line.startsWith("-D ")) {
                String[] parts = line.substring(3).split(" ", 2);
                if (!rulesOf(current, parts[0], line).remove(parts[1])) {
                    throw new IllegalStateException("no such rule: " + line);
                }
            } else if (line.startsWith("-X ")) {
                String chain = line.substring(3);
                rulesOf(current, chain, line);
                current.forEach((other, rules) -> rules.forEach(r -> {
                    if (!other.equals(chain) && RestorePlan.target(r).equals(chain)) {
                        throw new IllegalStateException(line + ": still referenced by -A " + other + " " + r);
                    }
                }));
                current.remove(chain);
            } else {
                throw new IllegalStateException("unexpected line: " + line);
            }
        }
        if (current != null) {
            throw new IllegalStateException("transaction without COMMIT");
        }
    }

    private static List<String> rulesOf(Map<String, List<String>> table, String chain, String line) {
        List<String> rules = table.get(chain);
        if (rules == null) {
            throw new IllegalStateException("chain " + chain + " does not exist: " + line);
        }
        return rules;
    }

    private static String checkTarget(Map<String, List<String>> table, String spec, String line) {
        String target = RestorePlan.target(spec);
        if (ChainNames.isOwned(target) && !table.containsKey(target)) {
            throw new IllegalStateException("jump to " + target + " before it exists: " + line);
        }
        return spec;
    }
}
