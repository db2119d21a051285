package io.trellis.iptables.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Test-side commands (ip, iptables-save, ping) to set up and observe namespaces; never used by the backend. */
final class TestCommands {

    private TestCommands() {
    }

    record Result(List<String> argv, int exitCode, String stdout, String stderr) {
        boolean succeeded() {
            return exitCode == 0;
        }
    }

    static Result exec(String... argv) {
        List<String> command = List.of(argv);
        Process p;
        try {
            p = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        try {
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            return new Result(command, p.exitValue(), out.get(), err.get());
        } catch (IOException | ExecutionException e) {
            throw new AssertionError("running " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + String.join(" ", command), e);
        }
    }

    /** Runs the command; a non-zero exit fails the test with its stderr. */
    static String run(String... argv) {
        Result r = exec(argv);
        if (!r.succeeded()) {
            throw new AssertionError(String.join(" ", argv) + " exited " + r.exitCode() + ": " + r.stderr().strip());
        }
        return r.stdout();
    }

    /** Fails (never skips) without root: the tests need CAP_NET_ADMIN and CAP_SYS_ADMIN. */
    static void requireRoot() {
        try {
            String uid = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                    .findFirst().orElseThrow().split("\\s+")[2];
            if (!uid.equals("0")) {
                throw new AssertionError("these integration tests must run as root (effective uid is " + uid + ")");
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/self/status: " + e.getMessage(), e);
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
