package io.trellis.iptables.bridge;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * One table of {@code iptables-save} output: its chains and its rules in order, each rule kept as the
 * text after {@code -A CHAIN}, which {@code -D CHAIN <text>} deletes again.
 */
record SavedTable(String name, List<String> chains, List<Rule> rules) {

    SavedTable {
        requireNonNull(name, "name");
        chains = List.copyOf(requireNonNull(chains, "chains"));
        rules = List.copyOf(requireNonNull(rules, "rules"));
    }

    /** A rule of {@code chain}; {@code spec} is everything after {@code -A CHAIN }. */
    record Rule(String chain, String spec) {
        Rule {
            requireNonNull(chain, "chain");
            requireNonNull(spec, "spec");
        }

        /** The spec's words, double-quoted groups kept together without their quotes. */
        List<String> words() {
            return SavedTable.words(spec);
        }

        /** The {@code -j} target; empty when the rule has none. */
        String target() {
            List<String> w = words();
            for (int i = 0; i + 1 < w.size(); i++) {
                if (w.get(i).equals("-j") || w.get(i).equals("--jump")) {
                    return w.get(i + 1);
                }
            }
            return "";
        }
    }

    /**
     * The section of {@code table} in iptables-save output; a table that does not appear (never used in
     * this namespace) is empty.
     *
     * @throws IllegalArgumentException naming the line number and text of a line it cannot read
     */
    static SavedTable parse(String table, String saveOutput) {
        requireNonNull(table, "table");
        requireNonNull(saveOutput, "saveOutput");
        List<String> chains = new ArrayList<>();
        List<Rule> rules = new ArrayList<>();
        boolean inTable = false;
        String[] lines = saveOutput.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("*")) {
                inTable = line.substring(1).equals(table);
            } else if (!inTable) {
                continue;
            } else if (line.equals("COMMIT")) {
                inTable = false;
            } else if (line.startsWith(":") && line.indexOf(' ') > 1) {
                chains.add(line.substring(1, line.indexOf(' ')));
            } else if (line.startsWith("-A ") && line.indexOf(' ', 3) > 3) {
                int space = line.indexOf(' ', 3);
                rules.add(new Rule(line.substring(3, space), line.substring(space + 1).strip()));
            } else {
                throw new IllegalArgumentException("iptables-save table " + table + " line " + (i + 1)
                        + ": expected ':CHAIN POLICY', '-A CHAIN RULE' or 'COMMIT', got '" + lines[i] + "'");
            }
        }
        return new SavedTable(table, chains, rules);
    }

    boolean hasChain(String chain) {
        return chains.contains(chain);
    }

    /** The rules, in any chain, jumping to {@code chain}. */
    List<Rule> jumpsTo(String chain) {
        return rules.stream().filter(r -> r.target().equals(chain)).toList();
    }

    List<Rule> rulesOf(String chain) {
        return rules.stream().filter(r -> r.chain().equals(chain)).toList();
    }

    /** Splits on whitespace outside double quotes; inside quotes a backslash escapes the next character. */
    static List<String> words(String spec) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean inWord = false;
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < spec.length()) {
                    word.append(spec.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    word.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quote in iptables rule '" + spec + "'");
        }
        if (inWord) {
            out.add(word.toString());
        }
        return out;
    }
}
