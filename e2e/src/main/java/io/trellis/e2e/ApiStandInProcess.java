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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running {@link ApiStandIn} inside a network namespace, and the kubeconfig that reaches it
 * from that namespace. Its commands ({@link #stop()}, {@link #start()}, objects) go over its stdin;
 * closing it closes the stand-in's stdin, which ends it.
 */
public final class ApiStandInProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /**
     * JVM options of the stand-in: small and quick to start by default; a benchmark holding tens of
     * thousands of objects (bench service-scale) sets this system property for more heap and the full JIT.
     */
    public static final String JVM_OPTIONS_PROPERTY = "trellis.e2e.apiStandInJvmOptions";
    private static final String DEFAULT_JVM_OPTIONS = "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    private final Process process;
    private final BufferedReader answers;
    private final String url;
    private final Path kubeconfig;
    private final Path log;

    private ApiStandInProcess(Process process, BufferedReader answers, String url, Path kubeconfig, Path log) {
        this.process = process;
        this.answers = answers;
        this.url = url;
        this.kubeconfig = kubeconfig;
        this.log = log;
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
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", requireNonNull(netns, "netns"),
                java.toString()));
        command.addAll(List.of(System.getProperty(JVM_OPTIONS_PROPERTY, DEFAULT_JVM_OPTIONS).strip().split("\\s+")));
        command.addAll(List.of("-cp", classPath, ApiStandIn.class.getName(), nodeName, podCidr, internalIp));
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
            return new ApiStandInProcess(process, out, url, kubeconfig, log);
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

    /** Stops listening, as an unreachable API server: connections are refused, watches cut; the objects stay. */
    public void stop() {
        command("stop");
    }

    /** Listens on the same port again with the objects as they are now (changes made meanwhile included). */
    public void start() {
        command("start");
    }

    /** Creates another Node (also while stopped). */
    public void createNode(String name, String podCidr, String internalIp) {
        command("node " + name + " " + podCidr + " " + internalIp);
    }

    public void deleteNode(String name) {
        command("delete-node " + name);
    }

    /** Creates a Pod bound to the stand-in's node unless it exists (also while stopped). */
    public void createPod(String namespace, String name) {
        command("pod " + namespace + " " + name);
    }

    public void deletePod(String namespace, String name) {
        command("delete-pod " + namespace + " " + name);
    }

    /**
     * Creates (or replaces) a TCP ClusterIP Service with one port; {@code targetPort} is a number or
     * a port name, as in a Service spec.
     */
    public void putService(String namespace, String name, String clusterIp, String portName, int port,
                           String targetPort) {
        command("service " + namespace + " " + name + " " + clusterIp + " " + portName + " " + port + " " + targetPort);
    }

    public void deleteService(String namespace, String name) {
        command("delete-service " + namespace + " " + name);
    }

    /**
     * Creates or updates in place an IPv4 EndpointSlice of {@code service} with one TCP port
     * ({@code portName}, {@code port}: the resolved targetPort) and a ready endpoint per IP.
     */
    public void putSlice(String namespace, String name, String service, String portName, int port, List<String> ips) {
        command("slice " + namespace + " " + name + " " + service + " " + portName + " " + port
                + (ips.isEmpty() ? "" : " " + String.join(" ", ips)));
    }

    public void deleteSlice(String namespace, String name) {
        command("delete-slice " + namespace + " " + name);
    }

    private synchronized void command(String line) {
        try {
            process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
            String answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return answers.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (!"ok".equals(answer)) {
                throw new IllegalStateException("API stand-in: '" + line + "' answered " + answer + "; its log " + log
                        + ":\n" + Logs.tail(log, 30));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("API stand-in: cannot send '" + line + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the API stand-in ran '" + line + "'", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("API stand-in: no answer to '" + line + "' within " + COMMAND_TIMEOUT
                    + " (" + e + "); its log " + log + ":\n" + Logs.tail(log, 30), e);
        }
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
