package io.trellis.ovs.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs one external command to completion with a timeout, capturing stdout and stderr.
 * Both streams are drained concurrently so a chatty command can never block on a full pipe.
 */
public final class CommandRunner {
    private final Map<String, String> environment;
    private final Duration timeout;

    public CommandRunner(Map<String, String> environment, Duration timeout) {
        this.environment = Map.copyOf(requireNonNull(environment, "environment"));
        this.timeout = requireNonNull(timeout, "timeout");
    }

    /** Runs argv; never throws for a non-zero exit (see {@link CommandResult#stdoutOrThrow()}). */
    public CommandResult run(List<String> argv) {
        return run(argv, null);
    }

    /** Runs argv with the given bytes on stdin (null: empty stdin). */
    public CommandResult run(List<String> argv, byte[] stdin) {
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", argv), e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        try {
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("command timed out after " + timeout + ": "
                        + String.join(" ", argv) + "\nstderr so far: " + err.getNow("").strip());
            }
            return new CommandResult(argv, process.exitValue(), out.get(), err.get());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", argv), e);
        } catch (ExecutionException | IOException e) {
            throw new IllegalStateException("cannot collect output of " + String.join(" ", argv), e);
        }
    }

    private static String drain(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
