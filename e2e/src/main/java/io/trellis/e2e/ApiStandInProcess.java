package io.trellis.e2e;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running {@link ApiStandIn} inside a network namespace, and the kubeconfig that reaches it
 * from that namespace. Closing it closes the stand-in's stdin, which ends it.
 */
public final class ApiStandInProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final String url;
    private final Path kubeconfig;

    private ApiStandInProcess(Process process, String url, Path kubeconfig) {
        this.process = process;
        this.url = url;
        this.kubeconfig = kubeconfig;
    }

    /**
     * Starts the stand-in with this JVM's class path (which holds the mock server) under
     * {@code ip netns exec netns}; returns once the Node exists. Its stderr goes to {@code log}.
     */
    public static ApiStandInProcess start(String netns, String nodeName, String podCidr, String internalIp,
                                          Path kubeconfig, Path log) {
        requireNonNull(kubeconfig, "kubeconfig");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classPath = System.getProperty("java.class.path");
        List<String> command = List.of("ip", "netns", "exec", requireNonNull(netns, "netns"), java.toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath,
                ApiStandIn.class.getName(), nodeName, podCidr, internalIp);
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the API stand-in: " + e.getMessage(), e);
        }
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (line == null || !line.startsWith(ApiStandIn.READY_PREFIX)) {
                throw new IllegalStateException("the API stand-in in netns " + netns + " did not start (said: " + line
                        + "); its log " + log + ":\n" + Logs.tail(log, 30));
            }
            String url = line.substring(ApiStandIn.READY_PREFIX.length()).strip();
            writeKubeconfig(kubeconfig, url);
            return new ApiStandInProcess(process, url, kubeconfig);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while starting the API stand-in", e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            process.destroyForcibly();
            if (e instanceof IllegalStateException ise) {
                throw ise;
            }
            throw new IllegalStateException("the API stand-in in netns " + netns + " did not start within "
                    + START_TIMEOUT + ": " + e + "; its log " + log + ":\n" + Logs.tail(log, 30), e);
        }
    }

    private static void writeKubeconfig(Path file, String url) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: e2e
                  cluster:
                    server: %s
                users:
                - name: e2e
                  user:
                    token: e2e
                contexts:
                - name: e2e
                  context:
                    cluster: e2e
                    user: e2e
                current-context: e2e
                """.formatted(url);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public String url() {
        return url;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
