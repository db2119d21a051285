package io.trellis.agent.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code cni/bin/trellis-cni} as a container runtime does: a fresh environment with
 * only PATH and the CNI_* variables, the network config on stdin, stdout and the exit code read
 * back. The jars come from this test's class path (TRELLIS_CNI_CLASSPATH), so no packaging is needed.
 */
public final class CniRunner {
    public static final Path EXECUTABLE = Path.of("../cni/bin/trellis-cni").toAbsolutePath().normalize();

    private final String classPath;

    public CniRunner() {
        assertThat(EXECUTABLE).as("the trellis-cni executable").isExecutable();
        List<String> cp = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            // As a jar (installed: trellis-cni-<version>.jar; in a reactor build: trellis-cni.d/trellis-cni.jar)
            // or as a module's classes directory.
            Path p = Path.of(e);
            String name = p.getFileName().toString();
            boolean jar = name.endsWith(".jar") && (name.startsWith("trellis-cni") || name.startsWith("trellis-spi"));
            boolean classes = p.endsWith(Path.of("cni/target/classes")) || p.endsWith(Path.of("spi/target/classes"));
            if (jar || classes) {
                cp.add(e);
            }
        }
        assertThat(cp).as("trellis-cni and trellis-spi on the test class path").hasSize(2);
        classPath = String.join(File.pathSeparator, cp);
    }

    /** One run: exit code, stdout, stderr. */
    public record Run(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + ", stdout: " + stdout.strip() + ", stderr: " + stderr.strip();
        }
    }

    public Run run(Map<String, String> cniEnv, String stdin) {
        ProcessBuilder pb = new ProcessBuilder(EXECUTABLE.toString());
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().put("TRELLIS_CNI_CLASSPATH", classPath);
        pb.environment().putAll(cniEnv);
        try {
            Process p = pb.start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p, true));
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException brokenPipe) {
                // the plugin may answer before reading stdin
            }
            String out = read(p, false);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("trellis-cni did not exit within 60 s");
            }
            return new Run(p.exitValue(), out, err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String read(Process p, boolean stderr) {
        try {
            return new String((stderr ? p.getErrorStream() : p.getInputStream()).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
