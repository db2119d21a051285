package io.trellis.iptables.policy;

import io.trellis.iptables.exec.CommandRunner;
import io.trellis.iptables.exec.Programs;
import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The programs the enforcer drives: {@code iptables-save}, {@code iptables-restore} and {@code ipset}.
 * Their text formats are the stable interface (the nf_tables or legacy kernel ABI behind iptables,
 * and ipset's netlink protocol, are not ours to speak).
 */
final class PolicyTools {

    private final CommandRunner runner;
    private final String save;
    private final String restore;
    private final String ipset;

    /** {@code ipset} null: not installed (uninstall only: then there are no sets of ours to remove). */
    PolicyTools(CommandRunner runner, String save, String restore, String ipset) {
        this.runner = requireNonNull(runner, "runner");
        this.save = requireNonNull(save, "save");
        this.restore = requireNonNull(restore, "restore");
        this.ipset = ipset;
    }

    /**
     * Finds the programs on the PATH (or in /usr/sbin, /sbin).
     *
     * @throws IllegalStateException naming the missing program and its package
     */
    static PolicyTools find(CommandRunner runner) {
        return new PolicyTools(runner, locate("iptables-save", "iptables"), locate("iptables-restore", "iptables"),
                locate("ipset", "ipset"));
    }

    /**
     * As {@link #find}, but {@code ipset} may be missing: a node that never ran the enforcer (policy
     * none, or another enforcer) need not have it for an uninstall, and without it no set of ours
     * can exist.
     */
    static PolicyTools findForUninstall(CommandRunner runner) {
        return new PolicyTools(runner, locate("iptables-save", "iptables"), locate("iptables-restore", "iptables"),
                optional("ipset").orElse(null));
    }

    /** {@code iptables-save -c -t filter}, parsed. */
    SavedFilter saveFilter() {
        return SavedFilter.parse(check(List.of(save, "-c", "-t", "filter"), ""));
    }

    /** {@code iptables-restore -c --noflush --wait=5}: one transaction; chains it does not declare stay. */
    void restore(String input) {
        check(List.of(restore, "-c", "--noflush", "--wait=5"), requireNonNull(input, "input"));
    }

    /** {@code iptables-restore --test --noflush}: parses and checks without committing. */
    void test(String input) {
        check(List.of(restore, "--test", "--noflush"), requireNonNull(input, "input"));
    }

    /** The names of all ipset sets ({@code ipset list -n}). */
    Set<String> listSets() {
        Set<String> names = new LinkedHashSet<>();
        if (ipset == null) {
            return names;
        }
        for (String line : check(List.of(ipset, "list", "-n"), "").split("\n")) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        return names;
    }

    /** {@code ipset restore}: stops at the first failing command. */
    void ipsetRestore(String input) {
        requireNonNull(input, "input");
        if (ipset == null) {
            throw Programs.missing("ipset", "ipset", "the iptables policy enforcer");
        }
        check(List.of(ipset, "restore"), input);
    }

    private String check(List<String> argv, String stdin) {
        CommandRunner.Result result = runner.run(argv, stdin);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed (exit " + result.exitCode() + "): "
                    + result.stderr().strip() + (stdin.isEmpty() ? "" : "\ninput was:\n" + excerpt(stdin)));
        }
        return result.stdout();
    }

    private static String excerpt(String input) {
        return input.length() <= 20_000 ? input : input.substring(0, 20_000) + "\n... (" + input.length() + " chars)";
    }

    private static String locate(String command, String pkg) {
        return optional(command).orElseThrow(() -> Programs.missing(command, pkg, "the iptables policy enforcer"));
    }

    private static Optional<String> optional(String command) {
        return Programs.find(command).map(Path::toString);
    }
}
