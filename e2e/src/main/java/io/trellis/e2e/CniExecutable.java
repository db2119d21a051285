package io.trellis.e2e;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code trellis-cni} exactly as a container runtime does: a new process with a clean
 * environment (PATH and the CNI_* variables only), the network configuration on stdin, the result
 * read from stdout and the exit code. It runs the packaged executable ({@code cni/target/trellis-cni.d},
 * with its class-data-sharing archive), in the host's namespace, like a runtime; the agent's Unix
 * socket is a file, reachable from any network namespace.
 */
public final class CniExecutable {
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final Path executable;
    private final Path agentSocket;

    public CniExecutable(Path executable, Path agentSocket) {
        this.executable = requireNonNull(executable, "executable");
        this.agentSocket = requireNonNull(agentSocket, "agentSocket");
    }

    /** One invocation: exit code, stdout, stderr and the wall time from spawn to exit. */
    public record Run(int exitCode, String stdout, String stderr, Duration elapsed) {
        public Run {
            requireNonNull(stdout, "stdout");
            requireNonNull(stderr, "stderr");
            requireNonNull(elapsed, "elapsed");
        }

        public boolean succeeded() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + " in " + elapsed.toMillis() + " ms, stdout: " + stdout.strip() + ", stderr: "
                    + stderr.strip();
        }
    }

    /** The network configuration a runtime would read from its conf dir, for this agent. */
    public String netconf(String cniVersion) {
        return "{\"cniVersion\":\"" + cniVersion + "\",\"name\":\"trellis\",\"type\":\"trellis-cni\",\"agentSocket\":\""
                + agentSocket + "\",\"agentTimeoutSeconds\":60}";
    }

    /** ADD of a pod's eth0 in netns, with the Kubernetes CNI_ARGS a kubelet passes. */
    public Run add(String containerId, Path netns, String podNamespace, String podName) {
        return run(podEnv("ADD", containerId, netns, podNamespace, podName), netconf("1.0.0"));
    }

    /** DEL of a pod's eth0; {@code netns} may be null (a runtime omits it when the namespace is gone). */
    public Run del(String containerId, Path netns, String podNamespace, String podName) {
        return run(podEnv("DEL", containerId, netns, podNamespace, podName), netconf("1.0.0"));
    }

    /** VERSION: no agent involved, so this is the executable's own start-up and exit. */
    public Run version() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", "VERSION");
        return run(env, netconf("1.1.0"));
    }

    /** STATUS (CNI 1.1.0): asks the agent whether it is ready. */
    public Run status() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", "STATUS");
        return run(env, netconf("1.1.0"));
    }

    private static Map<String, String> podEnv(String command, String containerId, Path netns, String podNamespace,
                                              String podName) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        if (netns != null) {
            env.put("CNI_NETNS", netns.toString());
        }
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + podNamespace + ";K8S_POD_NAME=" + podName
                + ";K8S_POD_INFRA_CONTAINER_ID=" + containerId);
        env.put("CNI_PATH", "/opt/cni/bin");
        return env;
    }

    /** Runs the executable with exactly these CNI variables and stdin. */
    public Run run(Map<String, String> cniEnvironment, String stdin) {
        ProcessBuilder builder = new ProcessBuilder(executable.toString());
        builder.environment().clear();
        builder.environment().put("PATH", PATH);
        builder.environment().putAll(cniEnvironment);
        long start = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + executable, e);
        }
        try {
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process, true));
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException brokenPipe) {
                // VERSION may answer without reading stdin
            }
            String stdout = readAll(process, false);
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(executable + " " + cniEnvironment.get("CNI_COMMAND")
                        + " did not exit within " + TIMEOUT);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            return new Run(process.exitValue(), stdout, stderr.join(), elapsed);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted running " + executable, e);
        }
    }

    /**
     * Builds the executable's class-data-sharing archive now ({@code trellis-cni --prepare}), as an
     * installation would once; otherwise the first invocations run without it while it is built
     * in the background.
     */
    public void prepare() {
        ProcessBuilder builder = new ProcessBuilder(executable.toString(), "--prepare").redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", PATH);
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(executable + " --prepare failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String readAll(Process process, boolean stderr) {
        try {
            return new String((stderr ? process.getErrorStream() : process.getInputStream()).readAllBytes(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
