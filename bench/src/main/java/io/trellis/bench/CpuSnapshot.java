package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The machine's and every process's CPU counters at one instant ({@code /proc/stat}, {@code /proc/PID/stat}),
 * and the CPU of the children this JVM has waited for (the iperf3 ends: gone before a second snapshot could
 * see them). Two snapshots around a run say where its CPU went ({@link CpuUsage#between}).
 */
record CpuSnapshot(long nanoTime, MachineTicks machine, Map<Long, ProcessTicks> processes, double childSeconds) {
    CpuSnapshot {
        requireNonNull(machine, "machine");
        processes = Map.copyOf(processes);
    }

    /** The aggregate {@code cpu} line of {@code /proc/stat}, in USER_HZ ticks, and the number of CPUs. */
    record MachineTicks(long user, long system, long irq, long idle, long steal, int cpus) {
        long total() {
            return user + system + irq + idle + steal;
        }

        /**
         * Parses {@code /proc/stat}: {@code cpu user nice system idle iowait irq softirq steal ...}; nice counts
         * as user, iowait as idle, irq and softirq together (where the kernel's packet path runs outside a
         * process's system time); one {@code cpuN} line per CPU.
         */
        static MachineTicks parse(String procStat) {
            String aggregate = null;
            int cpus = 0;
            for (String line : procStat.split("\n")) {
                if (line.startsWith("cpu ")) {
                    aggregate = line;
                } else if (line.matches("cpu\\d+ .*")) {
                    cpus++;
                }
            }
            if (aggregate == null || cpus == 0) {
                throw new IllegalArgumentException("/proc/stat without the 'cpu' and 'cpuN' lines");
            }
            String[] f = aggregate.trim().split("\\s+");
            if (f.length < 9) {
                throw new IllegalArgumentException("/proc/stat 'cpu' line has " + (f.length - 1)
                        + " counters, expected at least 8: '" + aggregate + "'");
            }
            long[] v = new long[8];
            for (int i = 0; i < 8; i++) {
                try {
                    v[i] = Long.parseLong(f[i + 1]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("/proc/stat 'cpu' counter " + (i + 1) + " is not a number: '"
                            + f[i + 1] + "'");
                }
            }
            return new MachineTicks(v[0] + v[1], v[2], v[5] + v[6], v[3] + v[4], v[7], cpus);
        }
    }

    /** A process's name (its {@code comm}) and its user + system CPU so far, in seconds. */
    record ProcessTicks(String name, double seconds) {
        ProcessTicks {
            requireNonNull(name, "name");
        }

        /**
         * The name grouped processes are reported under: {@code comm} up to a {@code /}, so the per-CPU kernel
         * threads ({@code ksoftirqd/0}, {@code kworker/1:2-events}) count as one.
         */
        static String groupName(String stat) {
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            if (open < 0 || close < open) {
                throw new IllegalArgumentException("/proc/PID/stat without '(comm)': '" + stat.strip() + "'");
            }
            String comm = stat.substring(open + 1, close);
            int slash = comm.indexOf('/');
            return slash > 0 ? comm.substring(0, slash) : comm;
        }
    }

    /**
     * Takes a snapshot. JVMs are told apart by their command line: {@code java (bench)} when it contains
     * {@code marker} (the benchmark's work directory: its labs' API stand-in, controller, daemon and agents) or
     * is this JVM, {@code java (other)} otherwise: work of other sessions sharing the machine, i.e. noise.
     */
    static CpuSnapshot take(String marker) {
        long now = System.nanoTime();
        MachineTicks machine;
        try {
            machine = MachineTicks.parse(Files.readString(Path.of("/proc/stat")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/stat", e);
        }
        Map<Long, ProcessTicks> processes = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : dirs) {
                try {
                    String stat = Files.readString(dir.resolve("stat"));
                    long pid = Long.parseLong(dir.getFileName().toString());
                    String name = ProcessTicks.groupName(stat);
                    if (name.equals("java")) {
                        name = javaGroup(pid == ProcessHandle.current().pid(),
                                Files.readString(dir.resolve("cmdline")), marker);
                    }
                    processes.put(pid, new ProcessTicks(name, ProcessCpu.secondsOf(stat)));
                } catch (IOException | IllegalArgumentException gone) {
                    // the process ended between listing and reading: it is not in this snapshot
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc", e);
        }
        return new CpuSnapshot(now, machine, processes, ProcessCpu.childSeconds(ProcessHandle.current().pid()));
    }

    static String javaGroup(boolean self, String cmdline, String marker) {
        return self || cmdline.contains(marker) ? "java (bench)" : "java (other)";
    }
}
