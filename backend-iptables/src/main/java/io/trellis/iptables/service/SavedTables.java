package io.trellis.iptables.service;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chains and rules of some tables as {@code iptables-save} prints them.
 *
 * @param tables table -> chain -> rule specs (after {@code -A CHAIN }), built-in chains included
 */
record SavedTables(Map<String, Map<String, List<String>>> tables) {

    SavedTables {
        requireNonNull(tables, "tables");
    }

    Map<String, List<String>> chains(String table) {
        return tables.getOrDefault(table, Map.of());
    }

    /**
     * Parses iptables-save output (one or several tables).
     *
     * @throws IllegalArgumentException naming the line number and text of a line that is none of a
     *                                  table header, a chain declaration, a rule, a comment or COMMIT
     */
    static SavedTables parse(String saveOutput) {
        requireNonNull(saveOutput, "saveOutput");
        Map<String, Map<String, List<String>>> tables = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        String[] lines = saveOutput.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("*")) {
                current = tables.computeIfAbsent(line.substring(1), t -> new LinkedHashMap<>());
            } else if (current == null) {
                throw malformed(i, lines[i], "rule or chain outside a table");
            } else if (line.equals("COMMIT")) {
                current = null;
            } else if (line.startsWith(":")) {
                int space = line.indexOf(' ');
                if (space < 2) {
                    throw malformed(i, lines[i], "chain declaration without a policy");
                }
                current.computeIfAbsent(line.substring(1, space), c -> new ArrayList<>());
            } else if (line.startsWith("-A ")) {
                String rest = line.substring(3);
                int space = rest.indexOf(' ');
                if (space < 1) {
                    throw malformed(i, lines[i], "rule without a specification");
                }
                current.computeIfAbsent(rest.substring(0, space), c -> new ArrayList<>())
                        .add(rest.substring(space + 1).strip());
            } else {
                throw malformed(i, lines[i], "expected '*TABLE', ':CHAIN', '-A CHAIN', 'COMMIT' or a comment");
            }
        }
        return new SavedTables(tables);
    }

    private static IllegalArgumentException malformed(int index, String line, String why) {
        return new IllegalArgumentException("iptables-save line " + (index + 1) + ": " + why + ": '" + line + "'");
    }
}
