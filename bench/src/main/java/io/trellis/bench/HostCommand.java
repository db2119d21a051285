package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one host command to completion within a deadline. {@link #capture} keeps its output for parsing;
 * {@link #visible} lets it print to this process's terminal (long steps such as bringing a lab up, whose
 * progress and errors the user should see). A command past its deadline is killed with its children.
 */
final class HostCommand {
    private HostCommand() {
    }

    record Output(List<String> command, int exitCode, String stdout, String stderr) {
        Output {
            command = List.copyOf(requireNonNull(command, "command"));
            requireNonNull(stdout, "stdout");
            requireNonNull(stderr, "stderr");
        }

        boolean succeeded() {
            return exitCode == 0;
        }

        /** This output, or an exception naming the command, its exit code and what it printed on stderr. */
        Output check() {
            if (!succeeded()) {
                throw new IllegalStateException("`" + String.join(" ", command) + "` exited with " + exitCode
                        + (stderr.isBlank() ? "" : ": " + stderr.strip()));
            }
            return this;
        }
    }

    static Output capture(List<String> command, Map<String, String> environment, Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("trellis-bench-", ".out");
            err = Files.createTempFile("trellis-bench-", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.environment().putAll(environment);
            int exit = await(builder.start(), command, timeout);
            return new Output(command, exit, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    static Output capture(List<String> command, Duration timeout) {
        return capture(command, Map.of(), timeout);
    }

    /** Runs with this process's stdout and stderr; the exit code only. */
    static int visible(List<String> command, Map<String, String> environment, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO()
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().putAll(environment);
        try {
            return await(builder.start(), command, timeout);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
    }

    static void visibleOrFail(List<String> command, Map<String, String> environment, Duration timeout) {
        int exit = visible(command, environment, timeout);
        if (exit != 0) {
            throw new IllegalStateException("`" + String.join(" ", command) + "` exited with " + exit
                    + " (its output is above)");
        }
    }

    private static int await(Process process, List<String> command, Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new IllegalStateException("`" + String.join(" ", command) + "` still running after " + timeout
                        + ", killed");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}
