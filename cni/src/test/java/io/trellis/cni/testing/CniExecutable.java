package io.trellis.cni.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a CNI plugin executable exactly as a container runtime does: a fresh environment holding
 * only PATH and the CNI_* variables, the network config on stdin, stdout and exit code read back.
 * For bin/trellis-cni the class path comes from this build (TRELLIS_CNI_CLASSPATH), since tests
 * run before the jars are packaged.
 */
public final class CniExecutable {
    public static final Path TRELLIS_CNI = Path.of("bin/trellis-cni").toAbsolutePath();

    private final List<String> command;
    private final Map<String, String> extraEnv;

    private CniExecutable(List<String> command, Map<String, String> extraEnv) {
        this.command = command;
        this.extraEnv = extraEnv;
    }

    public static CniExecutable trellisCni() {
        return trellisCni(null);
    }

    /** bin/trellis-cni, run inside the named network namespace (the runtime's "host") when not null. */
    public static CniExecutable trellisCni(String hostNetns) {
        assertThat(TRELLIS_CNI).as("the trellis-cni executable").isExecutable();
        List<String> cmd = hostNetns == null ? List.of(TRELLIS_CNI.toString())
                : List.of("ip", "netns", "exec", hostNetns, TRELLIS_CNI.toString());
        return new CniExecutable(cmd, Map.of("TRELLIS_CNI_CLASSPATH", buildClassPath()));
    }

    /** Another plugin (e.g. /usr/lib/cni/portmap), optionally inside a named network namespace as its "host". */
    public static CniExecutable plugin(Path executable, String hostNetns) {
        assertThat(executable).as("CNI plugin %s (Debian package containernetworking-plugins)", executable).isExecutable();
        List<String> cmd = hostNetns == null ? List.of(executable.toString())
                : List.of("ip", "netns", "exec", hostNetns, executable.toString());
        return new CniExecutable(cmd, Map.of());
    }

    public Invocation run(Map<String, String> cniEnv, String stdin) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().putAll(extraEnv);
        pb.environment().putAll(cniEnv);
        try {
            Process p = pb.start();
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p, true));
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException brokenPipe) {
                // The plugin may exit before reading stdin (e.g. a missing CNI_COMMAND); its answer still counts.
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not exit within 60 s");
            }
            return new Invocation(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static byte[] readAll(Process p, boolean stderr) {
        try {
            return (stderr ? p.getErrorStream() : p.getInputStream()).readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This module's classes and trellis-spi, from the test JVM's own class path. */
    private static String buildClassPath() {
        List<String> cp = new ArrayList<>();
        cp.add(Path.of("target/classes").toAbsolutePath().toString());
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.contains("trellis-spi") || e.replace('\\', '/').endsWith("spi/target/classes")) {
                cp.add(e);
            }
        }
        assertThat(cp).as("trellis-spi on the test class path").hasSize(2);
        assertThat(Files.isDirectory(Path.of(cp.get(0)))).isTrue();
        return String.join(File.pathSeparator, cp);
    }

    /** One run's exit code and output. */
    public record Invocation(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + ", stdout: " + stdout.strip() + ", stderr: " + stderr.strip();
        }
    }
}
