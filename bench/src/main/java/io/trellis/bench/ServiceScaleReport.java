package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import io.trellis.bench.ProgressObserver.Sample;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** The numbers of one service-scale run (one or both backends) and their docs/benchmarks.md section. */
record ServiceScaleReport(ServiceScaleBench.Options options, String loadBefore, String loadAfter,
                          List<BackendResult> results) {

    ServiceScaleReport {
        requireNonNull(options, "options");
        results = List.copyOf(results);
        if (results.isEmpty()) {
            throw new IllegalArgumentException("results: at least one backend");
        }
    }

    /**
     * One backend's numbers: {@code countsMeaning} says what its plane's two counts are (OVS groups and
     * flows, iptables SVC and SEP chains); {@code facts} are plane-specific findings (dump times, syncs).
     */
    record BackendResult(String backend, String countsMeaning, double writesSeconds, Phase first,
                         Optional<Phase> restart, LatencySample changes, LatencySample changeWrites,
                         List<Memory> memory, List<ClassHistogram.Row> histogram, long syncWarnings,
                         Map<String, String> facts) {
        BackendResult {
            requireNonNull(backend, "backend");
            requireNonNull(first, "first");
            requireNonNull(restart, "restart");
            memory = List.copyOf(memory);
            histogram = List.copyOf(histogram);
            facts = Map.copyOf(facts);
            if (memory.isEmpty()) {
                throw new IllegalArgumentException("memory of backend " + backend + ": at least one measurement");
            }
        }
    }

    /**
     * One programming phase, in seconds after its start: {@code started} is when the writes ended
     * (burst) or the agent was ready (restart); {@code servicesComplete}/{@code entriesComplete} when the
     * data plane first held every Service's object (OVS group, SVC chain) and every entry (OVS flows,
     * SEP chains).
     */
    record Phase(String startedWhat, double started, double firstAnswer, double lastAnswer, double servicesComplete,
                 double entriesComplete, List<Sample> timeline, Map<String, ThreadSamples> profile) {
        Phase {
            timeline = List.copyOf(timeline);
        }
    }

    record Memory(String when, JvmMemory memory) {
    }

    /** One line per backend, e.g. {@code service-scale backend=ovs services=N ... }. */
    List<String> summaryLines() {
        return results.stream().map(this::summaryLine).toList();
    }

    private String summaryLine(BackendResult r) {
        JvmMemory last = r.memory().get(r.memory().size() - 1).memory();
        JvmMemory peak = r.memory().stream().map(Memory::memory)
                .reduce((a, b) -> a.peakRssKib() >= b.peakRssKib() ? a : b).orElseThrow();
        return String.format(Locale.ROOT, "%s backend=%s services=%d endpoints=%d mode=%s last_answer_s=%.1f "
                        + "writes_s=%.1f change_p50_ms=%.1f change_p99_ms=%.1f heap_after_gc_mib=%s rss_mib=%s "
                        + "peak_rss_mib=%s",
                ServiceScaleBench.NAME, r.backend(), options.services(), options.endpoints(),
                options.burst() ? "burst" : "agent-start", r.first().lastAnswer(), r.writesSeconds(), r.changes().p50(),
                r.changes().p99(), JvmMemory.mib(r.memory().get(0).memory().heapUsedKib()), JvmMemory.mib(last.rssKib()),
                JvmMemory.mib(peak.peakRssKib()));
    }

    String markdown() {
        ServiceScaleBench.Options o = options;
        StringBuilder md = new StringBuilder();
        md.append("## ").append(ServiceScaleBench.NAME).append("\n\n");
        md.append("Command: `./trellis bench service-scale --services ").append(o.services()).append(" --endpoints ")
                .append(o.endpoints()).append(" --changes ").append(o.changes()).append(" --writers ")
                .append(o.writers()).append(o.burst() ? " --burst" : "").append(" --backend ").append(o.backendOption())
                .append("`\n\n");
        md.append("""
                Each backend on its own sandboxed node, one after the other (`AgentNode` of `e2e`; the API
                stand-in, a fabric8 mock server in CRUD mode; the real agent `core-agent/bin/trellis-agent`, run
                as the harness runs it, JVM options `%s`): **ovs** — own netns, `ovsdb-server` and
                `ovs-vswitchd` with the userspace datapath, `podInterface: ovs`, `serviceProxy: ovs`;
                **iptables** — a netns without OVS, `podInterface: linux-bridge` (pod CIDR = cluster CIDR),
                `nodeRoutes: none`, `serviceProxy: iptables` (iptables %s in the node's netns). %d endpoint pods
                (CNI ADD through `trellis-cni`), each running a TCP server that answers with its name, and a
                client pod. Every Service has one TCP port (80, named targetPort `http` = 8080) and one
                EndpointSlice with %d ready endpoints: **the same %d pod IPs in every Service** (OVS still holds
                one group with %d buckets per Service, iptables one `TRELLIS-SVC-` chain and %d `TRELLIS-SEP-`
                chains per Service; only the pods are shared). Cluster IPs from %s.

                - **From scratch, agent start** (the default): with the agent stopped, %d writer threads
                  (`ScaleWriter`, its own process in the node's netns, creating Service i then its slice) write
                  all Services and slices as fast as the stand-in takes them; then the data plane is emptied —
                  ovs: `ovs-vswitchd` restarted (no flows, no groups); iptables: the Service proxy's chains and
                  the jumps to them removed with the `iptables` backend's own uninstall (bridge, pods and
                  masquerade stay) — and the agent started: timed from the agent's start until the
                  **last-written Service answers** a real TCP connection from the client pod (polled, %d ms
                  connect timeout). The agent lists everything and programs it in its first full sync.
                - **Burst** (`--burst`; the agent running while the writers write; then the start from
                  scratch above as a second phase): timed from the first write until the last Service answers.
                - **Endpoint change**: %d times, one Service's slice (a different Service each time, spread over
                  all of them) is updated in place without one of its endpoints (one watch event), through the
                  stand-in's command channel; timed from the write until the data plane no longer sends to that
                  endpoint — ovs: `ovs-ofctl dump-groups <bridge> G` shows the group without that bucket;
                  iptables: `iptables -t nat -S <the Service's SVC chain>` (one chain, not the whole table, in
                  the node's netns) shows no jump to the endpoint's SEP chain and one to each remaining one —
                  polled back to back; one real connection to the Service must then reach a remaining endpoint.
                  One change at a time. Nearest-rank percentiles.
                - **Memory**: the agent's Java heap in use right after a full GC (`jcmd GC.run`, then `jstat -gc`:
                  survivors + eden + old) and its resident set (`/proc/PID/status` `VmRSS`, peak `VmHWM`).

                The data plane's totals are sampled every %d s (ovs: `ovs-ofctl dump-aggregate`, `dump-groups`;
                iptables: `iptables-save -t nat`, chains counted); CPU columns are seconds of CPU used since the
                phase began: the agent, the data plane (ovs: `ovs-vswitchd`; iptables: the `iptables-save`,
                `iptables-restore` and `conntrack` runs the agent waited for, its children's CPU, counted as each run
                ends) and the API
                stand-in. The agent gets a SIGQUIT every %d ms (its JVM prints a thread dump to its log): where
                its threads were in those dumps says where its time goes.

                """.formatted(ServiceScaleBench.agentJavaOptions(), iptablesVariant(), o.endpoints(), o.endpoints(), o.endpoints(), o.endpoints(),
                o.endpoints(), ScaleService.SERVICE_CIDR, o.writers(), ServiceScaleBench.CONNECT_TIMEOUT.toMillis(),
                o.changes(), ProgressObserver.SAMPLE_PERIOD_MS / 1000, ProgressObserver.DUMP_PERIOD_MS));
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

        String firstName = o.burst() ? "burst (from the first write)" : "from scratch (from the agent's start)";
        md.append("| ").append(o.services()).append(" Services × ").append(o.endpoints()).append(" endpoints");
        results.forEach(r -> md.append(" | ").append(r.backend()));
        md.append(" |\n| ---");
        results.forEach(r -> md.append(" | ---:"));
        md.append(" |\n");
        md.append(row("writing the Services and slices, s" + (o.burst() ? " (the agent running)" : " (the agent stopped)"),
                r -> seconds(r.writesSeconds())));
        phaseRows(md, firstName, BackendResult::first);
        if (o.burst()) {
            phaseRows(md, "restart from scratch (from the agent's start)", r -> r.restart().orElseThrow());
        }
        md.append(row("what the two counts are", BackendResult::countsMeaning));
        md.append(row("endpoint change, p50 ms", r -> millis(r.changes().p50())));
        md.append(row("endpoint change, p99 ms", r -> millis(r.changes().p99())));
        md.append(row("endpoint change, min / mean / max ms", r -> String.format(Locale.ROOT, "%.1f / %.1f / %.1f",
                r.changes().minMillis(), r.changes().meanMillis(), r.changes().maxMillis())));
        md.append(row("of which the write through the stand-in, p50 / p99 ms", r -> String.format(Locale.ROOT,
                "%.1f / %.1f", r.changeWrites().p50(), r.changeWrites().p99())));
        List<String> stages = new ArrayList<>();
        results.forEach(r -> r.memory().forEach(m -> {
            if (!stages.contains(m.when())) {
                stages.add(m.when());
            }
        }));
        for (String stage : stages) {
            md.append(row("agent heap used after GC / RSS / peak RSS MiB, " + stage, r -> r.memory().stream()
                    .filter(m -> m.when().equals(stage)).findFirst().map(m -> JvmMemory.mib(m.memory().heapUsedKib())
                            + " / " + JvmMemory.mib(m.memory().rssKib()) + " / "
                            + JvmMemory.mib(m.memory().peakRssKib())).orElse("-")));
        }
        Set<String> factNames = new LinkedHashSet<>();
        results.forEach(r -> factNames.addAll(new java.util.TreeMap<>(r.facts()).keySet()));
        for (String fact : factNames) {
            md.append(row(fact, r -> r.facts().getOrDefault(fact, "-")));
        }
        md.append(row("warnings of the Service sync in the agent log", r -> Long.toString(r.syncWarnings())));

        for (BackendResult r : results) {
            md.append("\n### ").append(r.backend()).append("\n");
            progress(md, r, firstName, r.first());
            r.restart().ifPresent(p -> progress(md, r, "restart from scratch (from the agent's start)", p));
            md.append("\nThe agent's largest live classes after programming (`jcmd GC.class_histogram`, after a full "
                    + "GC):\n\n| class | instances | MiB |\n| --- | ---: | ---: |\n");
            for (ClassHistogram.Row h : r.histogram()) {
                md.append("| `").append(h.className()).append("` | ").append(h.instances()).append(" | ")
                        .append(JvmMemory.mib(h.bytes() / 1024)).append(" |\n");
            }
            profile(md, o.burst() ? "burst" : "from scratch", r.first());
            r.restart().ifPresent(p -> profile(md, "restart", p));
        }
        md.append("\n```\n");
        summaryLines().forEach(l -> md.append(l).append('\n'));
        md.append("```\n");
        return md.toString();
    }

    private void phaseRows(StringBuilder md, String title, Function<BackendResult, Phase> phase) {
        md.append(row("*" + title + "*", r -> ""));
        md.append(row("the agent ready / all written, s", r -> seconds(phase.apply(r).started())));
        md.append(row("first Service answers, s", r -> seconds(phase.apply(r).firstAnswer())));
        md.append(row("**last Service answers, s**", r -> "**" + seconds(phase.apply(r).lastAnswer()) + "**"));
        md.append(row("the data plane holds every Service's object (OVS group / SVC chain), s",
                r -> seconds(phase.apply(r).servicesComplete())));
        md.append(row("the data plane holds every entry (OVS flows / SEP chains), s",
                r -> seconds(phase.apply(r).entriesComplete())));
    }

    private String row(String what, Function<BackendResult, String> value) {
        StringBuilder r = new StringBuilder("| ").append(what);
        results.forEach(b -> r.append(" | ").append(value.apply(b)));
        return r.append(" |\n").toString();
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.1f", s);
    }

    private static String millis(double ms) {
        return String.format(Locale.ROOT, "%.1f", ms);
    }

    /** {@code iptables -V} of this machine, e.g. {@code v1.8.9 (nf_tables)}; "?" when it does not run. */
    private static String iptablesVariant() {
        try {
            HostCommand.Output out = HostCommand.capture(List.of("iptables", "-V"), java.time.Duration.ofSeconds(10));
            return out.succeeded() ? out.stdout().strip().replaceFirst("^iptables ", "") : "?";
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static void progress(StringBuilder md, BackendResult r, String title, Phase phase) {
        boolean ovs = r.backend().equals("ovs");
        md.append("\nProgress, ").append(title).append(":\n\n");
        md.append(ovs ? "| s | groups | flows | agent CPU s | ovs-vswitchd CPU s | API stand-in CPU s |\n"
                : "| s | SVC chains | SEP chains | agent CPU s | iptables tools CPU s | API stand-in CPU s |\n");
        md.append("| ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Sample s : thin(phase.timeline(), 14)) {
            md.append(String.format(Locale.ROOT, "| %.0f | %d | %d | %.1f | %.1f | %.1f |%n", s.seconds(), s.services(),
                    s.entries(), s.agentCpu(), s.planeCpu(), s.apiCpu()));
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
