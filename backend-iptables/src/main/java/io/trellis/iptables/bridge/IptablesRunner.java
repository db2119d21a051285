package io.trellis.iptables.bridge;

import static java.util.Objects.requireNonNull;

import io.trellis.iptables.exec.CommandRunner;
import io.trellis.iptables.exec.ProcessRunner;
import io.trellis.iptables.exec.Programs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code iptables-save -t TABLE} and {@code iptables-restore --noflush} inside the node namespace: the
 * ruleset text is iptables' stable interface (kube-proxy programs it the same way). Each command is
 * forked (by {@link ProcessRunner}) from a thread that has entered the namespace, so the child is born there.
 */
final class IptablesRunner {

    private final NodeNamespace node;
    private final Path save;
    private final Path restore;
    private final CommandRunner processes;

    IptablesRunner(NodeNamespace node, Path save, Path restore, Duration timeout) {
        this.node = requireNonNull(node, "node");
        this.save = requireNonNull(save, "save");
        this.restore = requireNonNull(restore, "restore");
        this.processes = new ProcessRunner(timeout);
    }

    /** Finds iptables-save and iptables-restore on the PATH (or in /usr/sbin, /sbin). */
    static IptablesRunner in(NodeNamespace node, Duration timeout) {
        return new IptablesRunner(node, find("iptables-save"), find("iptables-restore"), timeout);
    }

    /** The table as iptables-save prints it. */
    SavedTable save(String table) {
        requireNonNull(table, "table");
        return SavedTable.parse(table, run(List.of(save.toString(), "-t", table), ""));
    }

    /** Applies {@code input} with {@code --noflush}: chains it does not declare stay as they are. */
    void restore(String input) {
        requireNonNull(input, "input");
        run(List.of(restore.toString(), "--noflush", "--wait=5"), input);
    }

    private String run(List<String> argv, String stdin) {
        CommandRunner.Result result = node.switcher().call(node.namespace(), () -> processes.run(argv, stdin));
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " in netns " + node.description() + " failed (exit "
                    + result.exitCode() + "): " + result.stderr().strip() + (stdin.isEmpty() ? "" : "\ninput was:\n" + stdin));
        }
        return result.stdout();
    }

    private static Path find(String command) {
        return Programs.find(command).orElseThrow(() -> Programs.missing(command, "iptables", "pod egress masquerade"));
    }
}
