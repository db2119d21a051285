package io.trellis.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the system tools the lab is built from (ip, ovsdb-tool, ovs-vsctl, ...). The lab plays the machine
 * and the container runtime, so unlike the agent it may use them.
 */
public final class Shell {

    /** The result of a finished command. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs a command and returns its result whatever the exit code. */
    public Result run(List<String> command, Map<String, String> extraEnv) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(extraEnv);
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process process = builder.start();
            // Read both streams concurrently: a full stderr pipe would block a chatty command.
            var stderr = new java.util.concurrent.CompletableFuture<String>();
            Thread reader = new Thread(() -> {
                try {
                    stderr.complete(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    stderr.complete("");
                }
            });
            reader.start();
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            reader.join();
            return new Result(List.copyOf(command), process.exitValue(), stdout, stderr.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }

    public Result run(String... command) {
        return run(List.of(command), Map.of());
    }

    /** Runs a command that must succeed; its stdout. */
    public String check(String... command) {
        return check(List.of(command), Map.of());
    }

    public String check(List<String> command, Map<String, String> extraEnv) {
        Result r = run(command, extraEnv);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + r.exitCode() + "): "
                    + r.stderr().strip());
        }
        return r.stdout();
    }

    /** `ip netns exec NS command...` as a command line. */
    public static List<String> inNetns(String netns, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        full.addAll(List.of(command));
        return full;
    }

    /** The named network namespaces (ip netns list). */
    public List<String> namespaces() {
        List<String> names = new ArrayList<>();
        for (String line : check("ip", "netns", "list").split("\n")) {
            if (!line.isBlank()) {
                names.add(line.strip().split("\\s+")[0]);
            }
        }
        return names;
    }
}
