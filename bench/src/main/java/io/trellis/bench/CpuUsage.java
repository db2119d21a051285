package io.trellis.bench;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where the CPU went between two {@link CpuSnapshot}s: the machine's split (seconds of user, system, irq +
 * softirq, idle, steal over all CPUs), the CPU seconds of each process group (by name) and of the iperf3 ends
 * this JVM ran. Usages of several runs add up ({@link #plus}).
 */
record CpuUsage(double wallSeconds, int cpus, double userSeconds, double systemSeconds, double irqSeconds,
        double idleSeconds, double stealSeconds, Map<String, Double> processSeconds, double iperf3Seconds) {
    /** Process groups shown in the report, busiest first. */
    static final int TOP = 5;

    CpuUsage {
        if (!(wallSeconds > 0)) {
            throw new IllegalArgumentException("wallSeconds must be positive, got " + wallSeconds);
        }
        if (cpus < 1) {
            throw new IllegalArgumentException("cpus must be at least 1, got " + cpus);
        }
        processSeconds = Map.copyOf(processSeconds);
    }

    /**
     * The usage from {@code before} to {@code after}. A process in both counts its difference; one that
     * started in between counts all of its CPU; one that ended in between is not seen (the iperf3 ends, which
     * this JVM waited for, come from its children's counter instead).
     */
    static CpuUsage between(CpuSnapshot before, CpuSnapshot after) {
        double tick = 1.0 / ProcessCpu.TICKS_PER_SECOND;
        CpuSnapshot.MachineTicks a = before.machine();
        CpuSnapshot.MachineTicks b = after.machine();
        Map<String, Double> byName = new HashMap<>();
        after.processes().forEach((pid, now) -> {
            CpuSnapshot.ProcessTicks then = before.processes().get(pid);
            // a pid reused by a new process of another name: count the new one from zero
            double used = then != null && then.name().equals(now.name()) ? now.seconds() - then.seconds()
                    : now.seconds();
            if (used > 0) {
                byName.merge(now.name(), used, Double::sum);
            }
        });
        return new CpuUsage((after.nanoTime() - before.nanoTime()) / 1e9, b.cpus(), (b.user() - a.user()) * tick,
                (b.system() - a.system()) * tick, (b.irq() - a.irq()) * tick, (b.idle() - a.idle()) * tick,
                (b.steal() - a.steal()) * tick, byName, after.childSeconds() - before.childSeconds());
    }

    CpuUsage plus(CpuUsage other) {
        Map<String, Double> merged = new HashMap<>(processSeconds);
        other.processSeconds.forEach((name, s) -> merged.merge(name, s, Double::sum));
        return new CpuUsage(wallSeconds + other.wallSeconds, Math.max(cpus, other.cpus),
                userSeconds + other.userSeconds, systemSeconds + other.systemSeconds, irqSeconds + other.irqSeconds,
                idleSeconds + other.idleSeconds, stealSeconds + other.stealSeconds, merged,
                iperf3Seconds + other.iperf3Seconds);
    }

    private double machineSeconds() {
        return userSeconds + systemSeconds + irqSeconds + idleSeconds + stealSeconds;
    }

    /** Share of all CPUs' time, in percent of the whole machine (100 = every CPU busy). */
    private double share(double seconds) {
        double total = machineSeconds();
        return total > 0 ? 100 * seconds / total : 0;
    }

    double busyPercent() {
        return share(userSeconds + systemSeconds + irqSeconds + stealSeconds);
    }

    /** {@code busy 97% (user 20%, system 45%, irq+softirq 32%)}: shares of the whole machine. */
    String machineSplit() {
        return String.format(Locale.ROOT, "busy %.0f%% (user %.0f%%, system %.0f%%, irq+softirq %.0f%%)", busyPercent(),
                share(userSeconds), share(systemSeconds), share(irqSeconds));
    }

    /** Percent of one CPU a number of CPU seconds over this usage's wall time makes. */
    double percentOfOneCpu(double seconds) {
        return 100 * seconds / wallSeconds;
    }

    /** The busiest process groups, {@link #TOP} at most, with their share of one CPU. */
    List<Map.Entry<String, Double>> busiest() {
        return processSeconds.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(TOP).toList();
    }

    /** {@code ovs-vswitchd 95%, java 12%, ...}: percent of one CPU. */
    String busiestText() {
        return busiest().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), percentOfOneCpu(e.getValue())))
                .collect(Collectors.joining(", "));
    }
}
