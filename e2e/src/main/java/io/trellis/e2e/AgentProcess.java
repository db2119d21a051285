package io.trellis.e2e;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of the agent as its own process: {@code ip netns exec NETNS core-agent/bin/trellis-agent
 * --config FILE --kubeconfig FILE}. Both {@code ip netns exec} and the launcher exec, so the process
 * is the agent's JVM itself: {@link #kill()} is a real {@code kill -9} of the agent.
 */
public final class AgentProcess implements AutoCloseable {
    /** What the agent logs once it serves CNI requests for real (TrellisAgent.start). */
    static final String READY_MARK = "TrellisAgent - ready: ";
    /** The agent's JVM is the launcher's default (-Xmx512m); a serial collector keeps it light on 2 cores. */
    public static final String DEFAULT_JAVA_OPTS = "-Xmx512m -XX:+UseSerialGC";

    private final Process process;
    private final Path log;

    private AgentProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts the agent; its stdout and stderr (the agent logs to stderr) go to {@code log}. */
    public static AgentProcess start(TrellisHome home, String netns, Path config, Path kubeconfig, Duration nodeTimeout,
                                     Path log) {
        return start(home, netns, config, kubeconfig, nodeTimeout, log, DEFAULT_JAVA_OPTS);
    }

    /** As {@link #start(TrellisHome, String, Path, Path, Duration, Path)}, with these JVM options (TRELLIS_AGENT_JAVA_OPTS). */
    public static AgentProcess start(TrellisHome home, String netns, Path config, Path kubeconfig, Duration nodeTimeout,
                                     Path log, String javaOptions) {
        List<String> command = List.of("ip", "netns", "exec", requireNonNull(netns, "netns"),
                home.agentLauncher().toString(), "--config", config.toString(), "--kubeconfig", kubeconfig.toString(),
                "--node-timeout", Long.toString(Math.max(1, nodeTimeout.toSeconds())));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("TRELLIS_AGENT_JAVA_OPTS", requireNonNull(javaOptions, "javaOptions").strip());
        try {
            return new AgentProcess(builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** Waits until the agent has logged that it is ready; fails with its log when it exits or takes too long. */
    public AgentProcess awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (logContains(READY_MARK)) {
                return this;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the agent exited with code " + process.exitValue()
                        + " before it was ready; " + log + ":\n" + Logs.tail(log, 40));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the agent was not ready within " + timeout + "; " + log + ":\n"
                        + Logs.tail(log, 40));
            }
            sleep(50);
        }
    }

    private boolean logContains(String text) {
        try {
            return Files.exists(log) && Files.readString(log).contains(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL, as a crash or an OOM kill would end it: no shutdown hook runs, the socket file stays. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    /** SIGTERM: the agent's orderly stop. */
    public int stop(Duration timeout) {
        process.destroy();
        if (!awaitExit(timeout)) {
            kill();
        }
        return process.exitValue();
    }

    private boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return false;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(15));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
