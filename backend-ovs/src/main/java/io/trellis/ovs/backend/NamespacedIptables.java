package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
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
import java.util.stream.Stream;

/**
 * {@code iptables-save} and {@code iptables-restore --noflush} run inside one network namespace.
 * Spawning them is how kube-proxy and kube-router program iptables too: the ruleset format is
 * iptables' stable interface, its kernel ABI (and the nf_tables translation) is not.
 *
 * <p>A child process inherits the network namespace of the thread that forks it, so each command
 * is started from a {@link NamespaceSwitcher} thread that has entered the namespace.
 */
final class NamespacedIptables {

    /** Where iptables lives when the agent's PATH lacks the sbin directories. */
    private static final List<Path> FALLBACK_DIRS = List.of(Path.of("/usr/sbin"), Path.of("/sbin"));

    private final NamespaceSwitcher switcher;
    private final NetNamespace namespace;
    private final Path save;
    private final Path restore;
    private final Duration timeout;

    NamespacedIptables(NamespaceSwitcher switcher, NetNamespace namespace, Path save, Path restore, Duration timeout) {
        this.switcher = requireNonNull(switcher, "switcher");
        this.namespace = requireNonNull(namespace, "namespace");
        this.save = requireNonNull(save, "save");
        this.restore = requireNonNull(restore, "restore");
        this.timeout = requireNonNull(timeout, "timeout");
    }

    /** Finds iptables-save and iptables-restore on the PATH (or in /usr/sbin, /sbin). */
    static NamespacedIptables in(NamespaceSwitcher switcher, NetNamespace namespace, Duration timeout) {
        return new NamespacedIptables(switcher, namespace, find("iptables-save"), find("iptables-restore"), timeout);
    }

    /** {@code iptables-save -t TABLE}, parsed. */
    IptablesTable save(String table) {
        requireNonNull(table, "table");
        return IptablesTable.parse(table, run(List.of(save.toString(), "-t", table), ""));
    }

    /** Applies {@code input} with {@code --noflush}: tables and chains it does not name stay as they are. */
    void restore(String input) {
        requireNonNull(input, "input");
        run(List.of(restore.toString(), "--noflush", "--wait=5"), input);
    }

    private String run(List<String> argv, String stdin) {
        // Started from a thread inside the namespace, so the child is born there.
        return switcher.call(namespace, () -> execute(argv, stdin));
    }

    private String execute(List<String> argv, String stdin) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(argv).start();
        // Own threads, not the common pool: on a small node it has one thread, and two blocking readers
        // sharing it could stall the child on a full pipe.
        FutureTask<byte[]> stderr = drain(process.getErrorStream(), "stderr of " + argv.get(0));
        FutureTask<byte[]> stdout = drain(process.getInputStream(), "stdout of " + argv.get(0));
        IOException writeFailure = null;
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            writeFailure = e; // the child exited early; its exit status and stderr say why
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", argv) + " in netns " + namespace.description()
                    + " did not finish within " + timeout.toMillis() + " ms");
        }
        String out = text(stdout);
        String err = text(stderr);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " in netns " + namespace.description()
                    + " failed (exit " + process.exitValue() + "): " + err.strip()
                    + (stdin.isEmpty() ? "" : "\ninput was:\n" + stdin));
        }
        if (writeFailure != null) {
            throw new UncheckedIOException(String.join(" ", argv) + ": writing its input failed", writeFailure);
        }
        return out;
    }

    private static FutureTask<byte[]> drain(InputStream stream, String name) {
        FutureTask<byte[]> task = new FutureTask<>(() -> readAll(stream));
        Thread reader = new Thread(task, name);
        reader.setDaemon(true);
        reader.start();
        return task;
    }

    private static String text(FutureTask<byte[]> stream) throws InterruptedException {
        try {
            return new String(stream.get(), StandardCharsets.UTF_8);
        } catch (ExecutionException e) {
            throw new IllegalStateException("reading a child's output failed", e.getCause());
        }
    }

    private static byte[] readAll(InputStream stream) {
        try (InputStream s = stream; ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            s.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path find(String command) {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            Stream.of(path.split(":")).filter(p -> !p.isEmpty()).map(Path::of).forEach(dirs::add);
        }
        dirs.addAll(FALLBACK_DIRS);
        return dirs.stream().map(d -> d.resolve(command)).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException(command + " not found in PATH or " + FALLBACK_DIRS
                        + ": install the iptables package (pod egress masquerade needs it)"));
    }
}
