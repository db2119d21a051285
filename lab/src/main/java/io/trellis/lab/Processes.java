package io.trellis.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the lab's long-running processes detached from the command that starts them (own session, output
 * to a log file), and stops them by pid. A pid is only acted on while the process's command line still
 * names the lab directory, so a recycled pid of an unrelated process is never signalled.
 */
public final class Processes {
    private final Path labRoot;

    public Processes(Path labRoot) {
        this.labRoot = labRoot;
    }

    /** Starts {@code command} in a new session, stdout and stderr appended to {@code log}; its pid. */
    public long startDetached(List<String> command, Path log, Map<String, String> extraEnv) {
        List<String> full = new ArrayList<>();
        // setsid execs the command directly (the child is no process group leader), so the pid is the command's.
        full.add("setsid");
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full);
        builder.environment().putAll(extraEnv);
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            Files.createDirectories(log.getParent());
            return builder.start().pid();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    /** Whether the pid is alive and belongs to this lab. */
    public boolean isLabProcess(long pid) {
        if (pid <= 0) {
            return false;
        }
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String cmdline = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
            return cmdline.contains(labRoot.toString());
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM, then SIGKILL after the grace period; returns once the process is gone. */
    public void stop(long pid, Duration grace) {
        if (!isLabProcess(pid)) {
            return;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            return;
        }
        handle.get().destroy();
        long deadline = System.nanoTime() + grace.toNanos();
        while (handle.get().isAlive() && System.nanoTime() < deadline) {
            sleep(50);
        }
        if (handle.get().isAlive()) {
            handle.get().destroyForcibly();
            long killDeadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (handle.get().isAlive() && System.nanoTime() < killDeadline) {
                sleep(50);
            }
        }
    }

    /**
     * {@link #stop} for several processes at once: SIGTERM to all, one common grace period, then SIGKILL to
     * those left (a lab of several nodes would otherwise wait for each agent's shutdown in turn).
     */
    public void stopAll(Collection<Long> pids, Duration grace) {
        List<ProcessHandle> handles = new ArrayList<>();
        for (long pid : pids) {
            if (isLabProcess(pid)) {
                ProcessHandle.of(pid).ifPresent(handles::add);
            }
        }
        handles.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        while (handles.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            sleep(50);
        }
        handles.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        long killDeadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (handles.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < killDeadline) {
            sleep(50);
        }
    }

    /** The pid in a pid file (as OVS daemons write them), or 0. */
    public static long readPidFile(Path file) {
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** The live processes whose command line names the lab directory (what a crash may have left). */
    public List<Long> labProcesses() {
        List<Long> pids = new ArrayList<>();
        // Never this process or one that started it (e.g. a shell whose command line names the directory).
        java.util.Set<Long> ancestry = new java.util.HashSet<>();
        for (Optional<ProcessHandle> p = Optional.of(ProcessHandle.current()); p.isPresent(); p = p.get().parent()) {
            ancestry.add(p.get().pid());
        }
        ProcessHandle.allProcesses().forEach(p -> {
            if (!ancestry.contains(p.pid()) && isLabProcess(p.pid())) {
                pids.add(p.pid());
            }
        });
        return pids;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
