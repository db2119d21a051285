package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * One table as {@code iptables-save -t TABLE} prints it: the chains it declares and its rules in
 * order. A rule keeps its text after {@code -A CHAIN}, so it can be deleted again by feeding
 * {@code -D CHAIN <spec>} to iptables-restore.
 *
 * @param name   the table ({@code nat}, {@code filter}...)
 * @param chains the chains declared by {@code :CHAIN POLICY [packets:bytes]} lines, built-in ones included
 * @param rules  the {@code -A} lines, in order
 */
record IptablesTable(String name, List<String> chains, List<Rule> rules) {

    IptablesTable {
        requireNonNull(name, "name");
        chains = List.copyOf(requireNonNull(chains, "chains"));
        rules = List.copyOf(requireNonNull(rules, "rules"));
    }

    /**
     * A rule of {@code chain}; {@code spec} is everything after {@code -A CHAIN }.
     */
    record Rule(String chain, String spec) {
        Rule {
            requireNonNull(chain, "chain");
            requireNonNull(spec, "spec");
        }

        /** The spec split into arguments the way iptables-restore splits them (double quotes group). */
        List<String> arguments() {
            return tokenize(spec);
        }

        /** The {@code -j}/{@code --jump} target, empty string when the rule has none. */
        String target() {
            List<String> args = arguments();
            for (int i = 0; i < args.size() - 1; i++) {
                if (args.get(i).equals("-j") || args.get(i).equals("--jump")) {
                    return args.get(i + 1);
                }
            }
            return "";
        }
    }

    static IptablesTable empty(String name) {
        return new IptablesTable(name, List.of(), List.of());
    }

    /**
     * Reads the section of {@code table} from iptables-save output; a table that does not appear
     * (never used in this namespace) is empty.
     *
     * @throws IllegalArgumentException naming the line number and its text when a line of the section
     *                                  is not a chain declaration, a rule, a comment or COMMIT
     */
    static IptablesTable parse(String table, String saveOutput) {
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
                continue;
            }
            if (!inTable) {
                continue;
            }
            if (line.equals("COMMIT")) {
                inTable = false;
            } else if (line.startsWith(":")) {
                int space = line.indexOf(' ');
                if (space < 2) {
                    throw malformed(table, i, lines[i], "chain declaration without a policy");
                }
                chains.add(line.substring(1, space));
            } else if (line.startsWith("-A ")) {
                String rest = line.substring(3);
                int space = rest.indexOf(' ');
                if (space < 1) {
                    throw malformed(table, i, lines[i], "rule without a specification");
                }
                rules.add(new Rule(rest.substring(0, space), rest.substring(space + 1).strip()));
            } else {
                throw malformed(table, i, lines[i], "expected ':CHAIN', '-A CHAIN', 'COMMIT' or a comment");
            }
        }
        return new IptablesTable(table, chains, rules);
    }

    boolean hasChain(String chain) {
        return chains.contains(chain);
    }

    /** The rules, in any chain, that jump to {@code chain}. */
    List<Rule> jumpsTo(String chain) {
        return rules.stream().filter(r -> r.target().equals(chain)).toList();
    }

    /**
     * The restore input that removes {@code chain} and every rule jumping to it, as one section of
     * this table; empty when the table has neither (an uninstall then does not even create a table
     * that was never used).
     */
    String removalInput(String chain) {
        List<Rule> jumps = jumpsTo(chain);
        if (jumps.isEmpty() && !hasChain(chain)) {
            return "";
        }
        StringBuilder in = new StringBuilder("*").append(name()).append('\n');
        for (Rule jump : jumps) {
            in.append("-D ").append(jump.chain()).append(' ').append(jump.spec()).append('\n');
        }
        // Declaring the chain flushes it (or creates it, harmlessly), so -X finds it empty.
        in.append(':').append(chain).append(" - [0:0]\n");
        in.append("-X ").append(chain).append('\n');
        return in.append("COMMIT\n").toString();
    }

    /** The rules of {@code chain}, in order. */
    List<Rule> rulesOf(String chain) {
        return rules.stream().filter(r -> r.chain().equals(chain)).toList();
    }

    private static IllegalArgumentException malformed(String table, int index, String line, String why) {
        return new IllegalArgumentException("iptables-save table " + table + " line " + (index + 1) + ": " + why
                + ": '" + line + "'");
    }

    /** Splits on spaces outside double quotes; a backslash escapes the next character inside quotes. */
    static List<String> tokenize(String spec) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        boolean inToken = false;
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < spec.length()) {
                    current.append(spec.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    current.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                inToken = true;
            } else if (Character.isWhitespace(c)) {
                if (inToken) {
                    out.add(current.toString());
                    current.setLength(0);
                    inToken = false;
                }
            } else {
                current.append(c);
                inToken = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quote in iptables rule '" + spec + "'");
        }
        if (inToken) {
            out.add(current.toString());
        }
        return out;
    }
}
