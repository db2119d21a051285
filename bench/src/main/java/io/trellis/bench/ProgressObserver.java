package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Watches one programming phase from {@code t0} on: every {@value #SAMPLE_PERIOD_MS} ms the data plane's
 * totals ({@link PlaneCounts}) and the CPU seconds each process has used since {@code t0}; every
 * {@value #DUMP_PERIOD_MS} ms a SIGQUIT to the agent, whose JVM then prints a thread dump to its
 * log (read afterwards, {@link #profile}). Both on their own threads until {@link #stop()}.
 */
final class ProgressObserver {
    static final long SAMPLE_PERIOD_MS = 3000;
    static final long DUMP_PERIOD_MS = 1000;

    /**
     * Counts and CPU seconds used since {@code t0}, {@code seconds} after {@code t0}; {@code planeCpu}
     * is the data plane's (ovs-vswitchd, or the iptables tools the agent ran).
     */
    record Sample(double seconds, long entries, long services, double agentCpu, double planeCpu, double apiCpu) {
    }

    private final long t0;
    private final Supplier<PlaneCounts> counts;
    private final LongSupplier agentPid;
    private final long apiPid;
    private final List<Sample> timeline = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread sampler;
    private final Thread dumper;

    /**
     * @param agentPid the agent's pid, or -1 while it is not up (a JVM not yet started would die of
     *                 SIGQUIT: no dump is requested then)
     */
    ProgressObserver(long t0, Supplier<PlaneCounts> counts, LongSupplier agentPid, DoubleSupplier planeCpu, long apiPid) {
        this.t0 = t0;
        this.counts = requireNonNull(counts, "counts");
        this.agentPid = requireNonNull(agentPid, "agentPid");
        requireNonNull(planeCpu, "planeCpu");
        this.apiPid = apiPid;
        double[] base = {Math.max(0, ProcessCpu.seconds(agentPid.getAsLong())), planeCpu.getAsDouble(),
                ProcessCpu.seconds(apiPid)};
        long firstAgent = agentPid.getAsLong();
        this.sampler = new Thread(() -> {
            while (running.get()) {
                long now = System.nanoTime();
                PlaneCounts c = counts.get();
                long pid = agentPid.getAsLong();
                // A restarted agent's CPU counts from its start.
                double agent = pid < 0 ? 0 : ProcessCpu.seconds(pid) - (pid == firstAgent ? base[0] : 0);
                synchronized (timeline) {
                    timeline.add(new Sample(seconds(), c.entries(), c.services(), agent,
                            planeCpu.getAsDouble() - base[1], ProcessCpu.seconds(apiPid) - base[2]));
                }
                sleepUntil(now + SAMPLE_PERIOD_MS * 1_000_000L);
            }
        }, "service-scale-sampler");
        this.dumper = new Thread(() -> {
            while (running.get()) {
                long now = System.nanoTime();
                long pid = agentPid.getAsLong();
                if (pid > 0) {
                    HostCommand.capture(List.of("kill", "-QUIT", Long.toString(pid)), Duration.ofSeconds(10));
                }
                sleepUntil(now + DUMP_PERIOD_MS * 1_000_000L);
            }
        }, "service-scale-dumper");
        // Daemons: a phase that fails before stop() must not keep the benchmark's JVM alive.
        sampler.setDaemon(true);
        dumper.setDaemon(true);
        sampler.start();
        dumper.start();
    }

    double seconds() {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Stops sampling and dumping; returns the samples taken. */
    List<Sample> stop() {
        running.set(false);
        for (Thread t : List.of(sampler, dumper)) {
            try {
                t.join(Duration.ofMinutes(2).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        synchronized (timeline) {
            return List.copyOf(timeline);
        }
    }

    /** Where each of {@code threads} was in the thread dumps of {@code log} (the part written during this phase). */
    static Map<String, ThreadSamples> profile(String log, List<String> threads) {
        Map<String, ThreadSamples> samples = new LinkedHashMap<>();
        threads.forEach(t -> samples.put(t, new ThreadSamples()));
        String[] dumps = log.split("Full thread dump", -1);
        for (int i = 1; i < dumps.length; i++) {
            for (String t : threads) {
                samples.get(t).add(dumps[i], t);
            }
        }
        return samples;
    }

    private void sleepUntil(long nanoTime) {
        while (running.get()) {
            long left = nanoTime - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                Thread.sleep(Math.min(100, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
