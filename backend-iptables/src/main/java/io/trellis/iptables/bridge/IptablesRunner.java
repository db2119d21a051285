package io.trellis.iptables.bridge;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * {@code iptables-save -t TABLE} and {@code iptables-restore --noflush} inside the node namespace: the
 * ruleset text is iptables' stable interface (kube-proxy programs it the same way). Each command is
 * forked from a thread that has entered the namespace, so the child is born there.
 */
final class IptablesRunner {

    /** Where iptables lives when the agent's PATH lacks the sbin directories. */
    private static final List<Path> FALLBACK_DIRS = List.of(Path.of("/usr/sbin"), Path.of("/sbin"));

    private final NodeNamespace node;
    private final Path save;
    private final Path restore;
    private final Duration timeout;

    IptablesRunner(NodeNamespace node, Path save, Path restore, Duration timeout) {
        this.node = requireNonNull(node, "node");
        this.save = requireNonNull(save, "save");
        this.restore = requireNonNull(restore, "restore");
        this.timeout = requireNonNull(timeout, "timeout");
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
        return node.switcher().call(node.namespace(), () -> execute(argv, stdin));
    }

    private String execute(List<String> argv, String stdin) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(argv).start();
        FutureTask<byte[]> err = drain(process.getErrorStream(), "stderr of " + argv.get(0));
        FutureTask<byte[]> out = drain(process.getInputStream(), "stdout of " + argv.get(0));
        IOException writeFailure = null;
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            writeFailure = e; // the child exited early: its status and stderr say why
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", argv) + " in netns " + node.description()
                    + " did not finish within " + timeout.toMillis() + " ms");
        }
        String stdout = text(out);
        String stderr = text(err);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " in netns " + node.description() + " failed (exit "
                    + process.exitValue() + "): " + stderr.strip() + (stdin.isEmpty() ? "" : "\ninput was:\n" + stdin));
        }
        if (writeFailure != null) {
            throw new UncheckedIOException(String.join(" ", argv) + ": writing its input failed", writeFailure);
        }
        return stdout;
    }

    // Own threads, not the common pool: on a two-core node it has one thread, and two blocking readers
    // sharing it could stall the child on a full pipe.
    private static FutureTask<byte[]> drain(InputStream stream, String name) {
        FutureTask<byte[]> task = new FutureTask<>(() -> {
            try (InputStream s = stream; ByteArrayOutputStream buffer = new ByteArrayOutputStream()) {
                s.transferTo(buffer);
                return buffer.toByteArray();
            }
        });
        Thread reader = new Thread(task, name);
        reader.setDaemon(true);
        reader.start();
        return task;
    }

    private static String text(FutureTask<byte[]> stream) throws InterruptedException {
        try {
            return new String(stream.get(), StandardCharsets.UTF_8);
        } catch (ExecutionException e) {
            throw new IllegalStateException("reading a child's output failed: " + e.getCause(), e.getCause());
        }
    }

    private static Path find(String command) {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty()) {
                    dirs.add(Path.of(dir));
                }
            }
        }
        dirs.addAll(FALLBACK_DIRS);
        return dirs.stream().map(d -> d.resolve(command)).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException(command + " not found in PATH or " + FALLBACK_DIRS
                        + ": install the iptables package (pod egress masquerade needs it)"));
    }
}
