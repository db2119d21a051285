package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import io.trellis.bench.ProgressObserver.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The numbers of one service-scale run and their docs/benchmarks.md section. */
record ServiceScaleReport(ServiceScaleBench.Options options, String loadBefore, String loadAfter, OvsCounts baseline,
                          long flowsPerService, double writesSeconds, Phase first, Optional<Phase> restart,
                          LatencySample changes, LatencySample changeWrites, List<Memory> memory,
                          List<ClassHistogram.Row> histogram, long syncWarnings) {

    ServiceScaleReport {
        requireNonNull(options, "options");
        requireNonNull(first, "first");
        requireNonNull(restart, "restart");
        memory = List.copyOf(memory);
        histogram = List.copyOf(histogram);
    }

    /**
     * One programming phase, in seconds after its start: {@code started} is when the writes ended
     * (burst) or the agent was ready (restart).
     */
    record Phase(String startedWhat, double started, double firstAnswer, double lastAnswer, double groupsComplete,
                 double flowsComplete, List<Sample> timeline, Map<String, ThreadSamples> profile) {
        Phase {
            timeline = List.copyOf(timeline);
        }
    }

    record Memory(String when, JvmMemory memory) {
    }

    String summaryLine() {
        JvmMemory last = memory.get(memory.size() - 1).memory();
        JvmMemory peak = memory.stream().map(Memory::memory).reduce((a, b) -> a.peakRssKib() >= b.peakRssKib() ? a : b)
                .orElseThrow();
        return String.format(Locale.ROOT, "%s services=%d endpoints=%d mode=%s last_answer_s=%.1f writes_s=%.1f "
                        + "change_p50_ms=%.1f change_p99_ms=%.1f heap_after_gc_mib=%s rss_mib=%s peak_rss_mib=%s",
                ServiceScaleBench.NAME, options.services(), options.endpoints(), options.burst() ? "burst" : "agent-start",
                first.lastAnswer(), writesSeconds, changes.p50(), changes.p99(),
                JvmMemory.mib(memory.get(0).memory().heapUsedKib()), JvmMemory.mib(last.rssKib()),
                JvmMemory.mib(peak.peakRssKib()));
    }

    String markdown() {
        ServiceScaleBench.Options o = options;
        StringBuilder md = new StringBuilder();
        md.append("## ").append(ServiceScaleBench.NAME).append("\n\n");
        md.append("Command: `./trellis bench service-scale --services ").append(o.services()).append(" --endpoints ")
                .append(o.endpoints()).append(" --changes ").append(o.changes()).append(" --writers ")
                .append(o.writers()).append(o.burst() ? " --burst" : "").append("`\n\n");
        md.append("""
                One sandboxed node (`AgentNode` of `e2e`: own netns, `ovsdb-server` and `ovs-vswitchd` with the
                userspace datapath; the API stand-in, a fabric8 mock server in CRUD mode; the real agent
                `core-agent/bin/trellis-agent` with `serviceProxy: ovs`, run as the harness runs it:
                `-Xmx256m -XX:+UseSerialGC`) with %d endpoint pods (CNI ADD through `trellis-cni`), each running
                a TCP server that answers with its name, and a client pod. Every Service has one TCP port (80,
                named targetPort `http` = 8080) and one EndpointSlice with %d ready endpoints: **the same %d pod
                IPs in every Service** (OVS still holds one group with %d buckets per Service; only the pods are
                shared). Cluster IPs from %s.

                - **From scratch, agent start** (the default): with the agent stopped, %d writer threads
                  (`ScaleWriter`, its own process in the node's netns, creating Service i then its slice) write
                  all Services and slices as fast as the stand-in takes them; then `ovs-vswitchd` is restarted
                  (no flows, no groups) and the agent started: timed from the agent's start until the
                  **last-written Service answers** a real TCP connection from the client pod (polled, %d ms
                  connect timeout). The agent lists everything and programs it in its first full sync.
                - **Burst** (`--burst`; the agent running while the writers write; then the restart above as a
                  second phase): timed from the first write until the last Service answers. With the e2e
                  stand-in this only works for runs of a few minutes (see below).
                - **Endpoint change**: %d times, one Service's slice (a different Service each time, spread over
                  all of them) is updated in place without one of its endpoints (one watch event), through the
                  stand-in's command channel; timed from the write until `ovs-ofctl dump-groups <bridge> G` shows
                  the Service's group without that bucket (polled back to back, one `ovs-ofctl` run each, a few
                  ms); one real connection to the Service must then reach a remaining endpoint. One change at a
                  time. Nearest-rank percentiles.
                - **Memory**: the agent's Java heap in use right after a full GC (`jcmd GC.run`, then `jstat -gc`:
                  survivors + eden + old) and its resident set (`/proc/PID/status` `VmRSS`, peak `VmHWM`).

                Flow and group totals (`ovs-ofctl dump-aggregate`, `dump-groups`) are sampled every %d s;
                CPU columns are seconds of CPU each process used since the phase began. The agent gets a SIGQUIT
                every %d ms (its JVM prints a thread dump to its log): where its threads were in those dumps
                says where its time goes.

                """.formatted(o.endpoints(), o.endpoints(), o.endpoints(), o.endpoints(), ScaleService.SERVICE_CIDR,
                o.writers(), ServiceScaleBench.CONNECT_TIMEOUT.toMillis(), o.changes(),
                ProgressObserver.SAMPLE_PERIOD_MS / 1000, ProgressObserver.DUMP_PERIOD_MS));
        md.append("""
                Why the agent is stopped while the Services are written: with the agent watching, the e2e API
                stand-in (fabric8 `kubernetes-server-mock` 8.0.0 without the lab's `WatchListenerFix`) took
                ~30-60 s per 1,000 Services and slowing (each create scans every stored object and waits for its
                watch events to be written), and after ~5 minutes, when the agent's informer renewed a watch, the
                mock's `onClosed` blocked its event loop (the concurrency bug `shared/recipes/k8s-api-standin.md`
                describes): writes and lists timed out, the agent logged `lost the watch`, and a 10,000 burst
                stalled at ~5,000. `--burst` runs it anyway (fine up to a few thousand Services).
                The stand-in runs with `-Xmx1g -XX:+UseSerialGC` (`service-scale.sh` sets
                `trellis.e2e.apiStandInJvmOptions`): with its e2e default (128 MiB, C1 only) listing 10,000
                slices took longer than the agent's 10 s request timeout and the agent's start-up failed.

                """);
        md.append("Load average: ").append(loadBefore).append(" at the start, ").append(loadAfter)
                .append(" at the end (2 cores, shared with other work while this ran).\n\n");
        md.append(String.format(Locale.ROOT, "Writing the %d Services and %d slices took %.1f s%s.%n%n", o.services(),
                o.services(), writesSeconds, o.burst() ? " (the agent running)" : " (the agent stopped)"));
        List<Phase> phases = new ArrayList<>(List.of(first));
        restart.ifPresent(phases::add);
        String firstName = o.burst() ? "burst (from the first write)" : "from scratch (from the agent's start)";
        md.append("| seconds after the phase began | ").append(firstName)
                .append(restart.isPresent() ? " | restart from scratch (from the agent's start) |\n| --- | ---: | ---: |\n"
                        : " |\n| --- | ---: |\n");
        md.append(row(o.burst() ? "all written / the agent ready" : "the agent ready", phases, Phase::started));
        md.append(row("first Service answers", phases, Phase::firstAnswer));
        md.append(row("**last Service answers**", phases, Phase::lastAnswer));
        md.append(row("OVS holds all " + o.services() + " groups", phases, Phase::groupsComplete));
        md.append(row("OVS holds all " + (baseline.flows() + o.services() * flowsPerService) + " flows ("
                + baseline.flows() + " base + " + o.services() + " × " + flowsPerService + ")", phases,
                Phase::flowsComplete));
        progress(md, firstName, first);
        restart.ifPresent(r -> progress(md, "restart from scratch (from the agent's start)", r));
        md.append("\n| endpoint change | runs | p50 | p99 | min | max | mean |\n"
                + "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (LatencySample s : List.of(changes, changeWrites)) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n", s.operation(),
                    s.samples().size(), s.p50(), s.p99(), s.minMillis(), s.maxMillis(), s.meanMillis()));
        }
        md.append("\n| agent memory | heap used after GC MiB | heap committed MiB | metaspace MiB | RSS MiB | peak RSS MiB |\n"
                + "| --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (Memory m : memory) {
            JvmMemory j = m.memory();
            md.append("| ").append(m.when()).append(" | ").append(JvmMemory.mib(j.heapUsedKib())).append(" | ")
                    .append(JvmMemory.mib(j.heapCommittedKib())).append(" | ").append(JvmMemory.mib(j.metaspaceUsedKib()))
                    .append(" | ").append(JvmMemory.mib(j.rssKib())).append(" | ").append(JvmMemory.mib(j.peakRssKib()))
                    .append(" |\n");
        }
        md.append("\nThe agent's largest live classes after programming (`jcmd GC.class_histogram`, after a full GC):\n\n"
                + "| class | instances | MiB |\n| --- | ---: | ---: |\n");
        for (ClassHistogram.Row r : histogram) {
            md.append("| `").append(r.className()).append("` | ").append(r.instances()).append(" | ")
                    .append(JvmMemory.mib(r.bytes() / 1024)).append(" |\n");
        }
        profile(md, o.burst() ? "burst" : "from scratch", first);
        restart.ifPresent(r -> profile(md, "restart", r));
        if (syncWarnings > 0) {
            md.append("\nThe agent logged ").append(syncWarnings).append(" warnings of its Service sync during the run.\n");
        }
        md.append("\n```\n").append(summaryLine()).append("\n```\n");
        return md.toString();
    }

    private static void progress(StringBuilder md, String title, Phase phase) {
        md.append("\nProgress, ").append(title).append(":\n\n");
        md.append("| s | groups | flows | agent CPU s | ovs-vswitchd CPU s | API stand-in CPU s |\n"
                + "| ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Sample s : thin(phase.timeline(), 14)) {
            md.append(String.format(Locale.ROOT, "| %.0f | %d | %d | %.1f | %.1f | %.1f |%n", s.seconds(), s.groups(),
                    s.flows(), s.agentCpu(), s.vswitchdCpu(), s.apiCpu()));
        }
    }

    private static void profile(StringBuilder md, String phaseName, Phase phase) {
        phase.profile().forEach((thread, samples) -> {
            md.append("\nAgent thread `").append(thread).append("` in ").append(samples.samples()).append(" dumps (")
                    .append(phaseName).append("):\n\n| samples | top frame <- innermost Trellis frame |\n| ---: | --- |\n");
            for (Map.Entry<String, Integer> e : samples.ranking().stream().limit(8).toList()) {
                md.append("| ").append(e.getValue()).append(" | `").append(e.getKey()).append("` |\n");
            }
        });
    }

    private static String row(String what, List<Phase> phases, java.util.function.ToDoubleFunction<Phase> value) {
        StringBuilder r = new StringBuilder("| ").append(what);
        for (Phase p : phases) {
            r.append(String.format(Locale.ROOT, " | %.1f", value.applyAsDouble(p)));
        }
        return r.append(" |\n").toString();
    }

    /** At most {@code max} evenly spaced elements of {@code all}, the first and the last included. */
    static <T> List<T> thin(List<T> all, int max) {
        if (max < 2) {
            throw new IllegalArgumentException("max " + max + " < 2");
        }
        if (all.size() <= max) {
            return List.copyOf(all);
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            out.add(all.get((int) Math.round((double) i * (all.size() - 1) / (max - 1))));
        }
        return out;
    }
}
