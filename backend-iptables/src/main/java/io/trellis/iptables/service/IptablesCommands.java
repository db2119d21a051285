package io.trellis.iptables.service;

import io.trellis.iptables.exec.CommandRunner;
import io.trellis.iptables.exec.Programs;
import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The programs the proxy drives: {@code iptables-save}, {@code iptables-restore} and
 * {@code conntrack}. The ruleset text is iptables' stable interface (kube-proxy programs the kernel
 * the same way); the nf_tables or legacy kernel ABI behind it is not ours to speak.
 */
final class IptablesCommands {

    /** Where the tools live when the agent's PATH lacks the sbin directories. */

    private static final Pattern DELETED = Pattern.compile("(\\d{1,9}) flow entries have been deleted");

    private final CommandRunner runner;
    private final String save;
    private final String restore;
    private final Optional<String> conntrack;

    IptablesCommands(CommandRunner runner, String save, String restore, Optional<String> conntrack) {
        this.runner = requireNonNull(runner, "runner");
        this.save = requireNonNull(save, "save");
        this.restore = requireNonNull(restore, "restore");
        this.conntrack = requireNonNull(conntrack, "conntrack");
    }

    /**
     * Finds the tools on the PATH (or in /usr/sbin, /sbin).
     *
     * @throws IllegalStateException when iptables-save or iptables-restore is missing; a missing
     *                               conntrack only disables the UDP conntrack cleanup
     */
    static IptablesCommands find(CommandRunner runner) {
        return new IptablesCommands(runner,
                locate("iptables-save").orElseThrow(() -> missing("iptables-save", "iptables")),
                locate("iptables-restore").orElseThrow(() -> missing("iptables-restore", "iptables")),
                locate("conntrack"));
    }

    boolean hasConntrack() {
        return conntrack.isPresent();
    }

    /** {@code iptables-save -t TABLE} for each table, parsed together. */
    SavedTables save(List<String> tables) {
        StringBuilder all = new StringBuilder();
        for (String table : tables) {
            all.append(check(List.of(save, "-t", table), ""));
        }
        return SavedTables.parse(all.toString());
    }

    /** {@code iptables-restore --noflush --wait}: one transaction; chains and tables it does not name stay. */
    void restore(String input) {
        check(List.of(restore, "--noflush", "--wait=5"), requireNonNull(input, "input"));
    }

    /** {@code iptables-restore --test --noflush}: parses and checks {@code input} without committing it. */
    void test(String input) {
        check(List.of(restore, "--test", "--noflush"), requireNonNull(input, "input"));
    }

    /**
     * {@code conntrack -D FILTER...}: deletes the matching entries and returns how many; 0 without
     * the conntrack tool.
     *
     * @throws IllegalStateException when conntrack fails for another reason than finding nothing
     */
    int conntrackDelete(List<String> filter) {
        if (conntrack.isEmpty()) {
            return 0;
        }
        List<String> argv = new ArrayList<>(List.of(conntrack.get(), "-D"));
        argv.addAll(filter);
        CommandRunner.Result result = runner.run(argv, "");
        // conntrack prints "N flow entries have been deleted." on stderr and exits 1 when N is 0.
        int deleted = deletedCount(result.stderr());
        if (result.exitCode() != 0 && deleted != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed (exit " + result.exitCode() + "): "
                    + result.stderr().strip());
        }
        return Math.max(deleted, 0);
    }

    /** The N of "... N flow entries have been deleted.", -1 when the text is not there. */
    static int deletedCount(String stderr) {
        Matcher m = DELETED.matcher(stderr);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private String check(List<String> argv, String stdin) {
        CommandRunner.Result result = runner.run(argv, stdin);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed (exit " + result.exitCode() + "): "
                    + result.stderr().strip() + (stdin.isEmpty() ? "" : "\ninput was:\n" + excerpt(stdin)));
        }
        return result.stdout();
    }

    /** Long inputs (thousands of Services) are cut: the error line iptables-restore names is what matters. */
    private static String excerpt(String input) {
        return input.length() <= 20_000 ? input : input.substring(0, 20_000) + "\n... (" + input.length() + " chars)";
    }

    private static IllegalStateException missing(String command, String pkg) {
        return Programs.missing(command, pkg, "the iptables Service proxy");
    }

    private static Optional<String> locate(String command) {
        return Programs.find(command).map(Path::toString);
    }
}
