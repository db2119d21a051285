package io.trellis.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used so far (user + system, {@code /proc/PID/stat} fields 14 and 15), so the
 * benchmark can say which process a phase kept busy: the agent, ovs-vswitchd or the API stand-in.
 */
final class ProcessCpu {
    /** USER_HZ: the unit of utime/stime; 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)). */
    static final int TICKS_PER_SECOND = 100;

    private ProcessCpu() {
    }

    /** Seconds of CPU of process {@code pid}; -1 when it is gone. */
    static double seconds(long pid) {
        try {
            return secondsOf(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * CPU seconds of the children {@code pid} has waited for (cutime + cstime, fields 16 and 17): for
     * the agent, the iptables-save/-restore and conntrack runs it spawned; 0 when it is gone.
     */
    static double childSeconds(long pid) {
        try {
            return childSecondsOf(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException e) {
            return 0;
        }
    }

    static double childSecondsOf(String stat) {
        return fieldPair(stat, 13);
    }

    /**
     * utime + stime of a {@code /proc/PID/stat} line in seconds. The command name (field 2) is in
     * parentheses and may hold spaces and parentheses itself, so fields are counted after the last ')'.
     */
    static double secondsOf(String stat) {
        return fieldPair(stat, 11);
    }

    /** The sum of two consecutive counters, {@code at} counted from field 3, in seconds. */
    private static double fieldPair(String stat, int at) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("/proc/PID/stat without '(comm)': '" + stat.strip() + "'");
        }
        String[] rest = stat.substring(close + 1).strip().split("\\s+");
        // rest[0] is field 3 (state): utime (14) and stime (15) are rest[11] and rest[12].
        if (rest.length < at + 2) {
            throw new IllegalArgumentException("/proc/PID/stat has " + (rest.length + 2) + " fields, expected at least "
                    + (at + 4));
        }
        try {
            return (Long.parseLong(rest[at]) + Long.parseLong(rest[at + 1])) / (double) TICKS_PER_SECOND;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("/proc/PID/stat fields " + (at + 3) + "/" + (at + 4) + " '" + rest[at]
                    + "', '" + rest[at + 1] + "' are not numbers");
        }
    }
}
