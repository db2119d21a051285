package io.trellis.ovs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads and signals processes by PID through /proc. Detached OVS daemons are not our children,
 * and PID 1 in a minimal VM may not reap them, so a zombie counts as dead here.
 */
final class ProcessTable {
    private ProcessTable() {
    }

    static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Format: pid (comm) state ...; comm may contain spaces and parentheses.
            char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The process' short command name (/proc/PID/comm), if it exists. */
    static Optional<String> commandName(long pid) {
        try {
            return Optional.of(Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static OptionalLong readPidFile(Path pidFile) {
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(pidFile).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Signals the process named in pidFile if it is alive and its command name starts with
     * expectedCommand (protects against a recycled PID), then waits for it to die.
     *
     * @return true when a process was signalled
     */
    static boolean stop(Path pidFile, String expectedCommand, boolean forcibly, Duration wait) {
        OptionalLong pid = readPidFile(pidFile);
        if (pid.isEmpty() || !isRunning(pid.getAsLong())) {
            return false;
        }
        // /proc/PID/comm is truncated to 15 characters.
        String comm = commandName(pid.getAsLong()).orElse("");
        if (!expectedCommand.startsWith(comm) && !comm.startsWith(expectedCommand)) {
            return false;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid.getAsLong());
        if (handle.isEmpty()) {
            return false;
        }
        if (forcibly) {
            handle.get().destroyForcibly();
        } else {
            handle.get().destroy();
        }
        if (!awaitDeath(pid.getAsLong(), wait) && !forcibly) {
            handle.get().destroyForcibly();
            awaitDeath(pid.getAsLong(), Duration.ofSeconds(5));
        }
        return true;
    }

    static boolean awaitDeath(long pid, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (isRunning(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(20);
        }
        return true;
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
