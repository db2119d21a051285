package io.trellis.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What else was running: every report records it, since a 2-core machine's numbers move with its load. */
final class MachineLoad {
    private MachineLoad() {
    }

    /** /proc/loadavg's 1, 5 and 15 minute averages, or why they could not be read. */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2] + " (1, 5, 15 min)";
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
