package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The numbers of one policy-label-latency run and their docs/benchmarks.md section.
 *
 * @param fullStateSeconds until node-1 first held a flow per phantom address, from the write of policies t and p
 *                         (from the first pod write with {@code --policies-first})
 * @param addressGroup    peer flows from phantom addresses on node-1 (policy t's address group)
 * @param cpuDuringChanges CPU seconds each process used during the changes phase
 * @param fillPauses     times ovs-vswitchd paused the flow monitor during the fill (whose progress is polled with
 *                       {@code dump-flows}, not read from the monitor)
 * @param changePauses   the same during the changes (each change waits for its own update: a lost one would
 *                       have failed the run)
 */
record PolicyLabelLatencyReport(PolicyLabelLatencyBench.Options options, PhantomCluster cluster, String loadBefore,
                                String loadAfter, double namespaceWritesSeconds, double podWritesSeconds,
                                double fullStateSeconds, long addressGroup, long flowsAfterFill, long flowsAtEnd,
                                List<FillSample> fillTimeline,
                                LatencySample appliedTo, LatencySample appliedToWrites, LatencySample peer,
                                LatencySample peerWrites, double changesSeconds, Map<String, Double> cpuDuringChanges,
                                List<Memory> memory, Map<String, ThreadSamples> fillProfile,
                                Map<String, ThreadSamples> changeProfile, List<String> endChecks, long fillPauses, long changePauses) {

    PolicyLabelLatencyReport {
        requireNonNull(options, "options");
        requireNonNull(cluster, "cluster");
        requireNonNull(loadBefore, "loadBefore");
        requireNonNull(loadAfter, "loadAfter");
        requireNonNull(appliedTo, "appliedTo");
        requireNonNull(appliedToWrites, "appliedToWrites");
        requireNonNull(peer, "peer");
        requireNonNull(peerWrites, "peerWrites");
        fillTimeline = List.copyOf(requireNonNull(fillTimeline, "fillTimeline"));
        cpuDuringChanges = Map.copyOf(requireNonNull(cpuDuringChanges, "cpuDuringChanges"));
        memory = List.copyOf(requireNonNull(memory, "memory"));
        fillProfile = Map.copyOf(requireNonNull(fillProfile, "fillProfile"));
        changeProfile = Map.copyOf(requireNonNull(changeProfile, "changeProfile"));
        endChecks = List.copyOf(requireNonNull(endChecks, "endChecks"));
        if (memory.isEmpty()) {
            throw new IllegalArgumentException("no memory figures");
        }
    }

    /**
     * The fill at {@code seconds} after its first write: pods written, peer flows from phantom addresses on
     * node-1, CPU seconds used by each process since the fill began.
     */
    record FillSample(double seconds, int podsWritten, long phantomFlows, Map<String, Double> cpu) {
        FillSample {
            cpu = Map.copyOf(requireNonNull(cpu, "cpu"));
        }
    }

    /** One JVM's memory at one point of the run. */
    record Memory(String process, String when, JvmMemory memory) {
        Memory {
            requireNonNull(process, "process");
            requireNonNull(when, "when");
            requireNonNull(memory, "memory");
        }
    }

    /** The heap after GC of {@code process} at its last measurement, in MiB. */
    String lastHeapMib(String process) {
        return memory.stream().filter(m -> m.process().equals(process)).reduce((x, y) -> y)
                .map(m -> JvmMemory.mib(m.memory().heapUsedKib())).orElse("-");
    }

    String summaryLine() {
        return String.format(Locale.ROOT, "%s pods=%d namespaces=%d policies=%d address_group=%d applied_to_p50_ms=%.1f "
                        + "applied_to_p99_ms=%.1f applied_to_max_ms=%.1f peer_p50_ms=%.1f peer_p99_ms=%.1f "
                        + "peer_max_ms=%.1f pod_writes_s=%.1f full_state_s=%.1f node_flows=%d agent_heap_mib=%s "
                        + "controller_heap_mib=%s",
                PolicyLabelLatencyBench.NAME, cluster.pods(), cluster.namespaces(), cluster.policies(), addressGroup,
                appliedTo.p50(), appliedTo.p99(), appliedTo.maxMillis(), peer.p50(), peer.p99(), peer.maxMillis(),
                podWritesSeconds, fullStateSeconds, flowsAtEnd, lastHeapMib("agent"), lastHeapMib("controller"));
    }

    String markdown() {
        PolicyLabelLatencyBench.Options o = options;
        StringBuilder md = new StringBuilder();
        md.append("## ").append(PolicyLabelLatencyBench.NAME).append("\n\n");
        md.append("Command: `./trellis bench policy-label-latency --pods ").append(o.pods()).append(" --changes ")
                .append(o.changes()).append(" --writers ").append(o.writers())
                .append(o.policiesFirst() ? " --policies-first" : "").append("`\n\n");
        md.append("""
                The latency from a pod label change to the updated flows on its node, end to end on a one-node
                `./trellis lab` (`--network-policy ovs`: the API stand-in, the controller computing policies and
                serving the TLS policy stream, node-1's agent with the OVS enforcer, userspace datapath; the lab's
                own JVM options). The cluster has **%1$d pods**: %2$d real pods on node-1 in namespace `%3$s`
                (created through the lab kubelet and `trellis-cni`), and %4$d **phantom** pods written straight to
                the API stand-in, bound to %5$d nodes that are no lab nodes (the lab kubelet runs only its own
                nodes' pods), `Running` with addresses from %6$s, all labelled `role=client`, in %7$d namespaces;
                %8$d NetworkPolicies: one per phantom namespace (ingress from the same namespace: no pod of node-1
                is selected, node-1 does not receive them), and in `%3$s`:

                - **t**: pods with `bench-target=on` (pod `c` always; pod `a` when toggled), ingress from
                  `role=client` pods of every namespace: node-1 holds t's address group, one peer flow per
                  phantom address (**%9$d**), kept while `a` toggles because `c` stays selected;
                - **p**: pod `s`, ingress from pods with `bench-peer=on`.

                %12$s

                Changes, alternating, %10$d of each, one at a time:

                - **applied-to**: label `bench-target` added to / removed from pod `a` (a JSON patch through the
                  API) until node-1's bridge shows `a`'s default-deny flow (cookie kind 0x08, object `a`'s
                  address) added / deleted;
                - **peer**: label `bench-peer` added to / removed from pod `b` until node-1's ingress policy table
                  shows the conjunction flow matching `nw_src=<b>` added / deleted.

                Each timed from just before the API write to the moment `ovs-ofctl -O OpenFlow15 monitor
                <bridge> watch:` (a flow monitor, read by a thread that stamps each update as it arrives) printed
                the update: the path is API stand-in -> controller's watch -> policy computation -> policy
                stream -> agent -> bundle to `ovs-vswitchd`. "of which the API write" is the PATCH request
                alone. Nearest-rank percentiles. Both JVMs get a SIGQUIT every %11$d ms during the fill and the
                changes (thread dumps into their logs, ranked below; each dump is a short safepoint pause).
                Heap: in use right after a full GC (`jcmd GC.run`, `jstat -gc`), RSS and peak RSS from
                `/proc/PID/status`.

                """.formatted(cluster.pods(), PhantomCluster.REAL_PODS.size(), PhantomCluster.NAMESPACE,
                cluster.phantoms(), PhantomCluster.PHANTOM_NODES, PhantomCluster.PHANTOM_NET, cluster.namespaces(),
                cluster.policies(), addressGroup, o.changes(), PolicyLabelLatencyBench.DUMP_PERIOD_MS,
                o.policiesFirst() ? "Policies t and p were written before the phantom pods (`--policies-first`): "
                        + "node-1's address group grew pod by pod as they were written."
                        : "Policies t and p are written after the phantom pods: node-1 receives t's address group "
                        + "with every phantom address at once (see below for the other order)."));
        if (!o.policiesFirst()) {
            md.append("""
                    Why the policies come last: written first (`--policies-first`), node-1's address group grows by
                    one address per pod write, and each growth is one event per node in the controller's policy
                    stream log, which keeps the last 1,000 events of every node (the 100 phantom nodes included)
                    for resuming agents, each holding its version of the group. At 10,000 pods the lab's
                    controller (`-Xmx128m`, set by `lab up`) filled its heap with them (old generation full,
                    hundreds of full GCs), its stream threads died of `OutOfMemoryError`, the agent reconnected
                    and resumed, again and again, and node-1 stopped at about 9,400 of the 9,995 phantom addresses
                    (2026-11-26, one run; `jcmd GC.class_histogram`: ~98,000 `NodeEventLog$Numbered`, 41 MB of
                    `Object[]`).

                    """);
        }
        md.append("Load average: ").append(loadBefore).append(" at the start, ").append(loadAfter)
                .append(" at the end (2 cores, shared with other work while this ran).\n\n");
        md.append(String.format(Locale.ROOT, """
                | fill | |
                | --- | ---: |
                | %d namespaces + %d policies written (%d writer threads) | %.1f s |
                | %d phantom pods written | %.1f s (%.0f pods/s) |
                | node-1 holds a flow for every phantom address (from %s) | %.1f s |
                | flows on node-1's bridge after the fill / at the end | %d / %d |
                %n""", PhantomCluster.NAMESPACES, PhantomCluster.NAMESPACES, o.writers(), namespaceWritesSeconds,
                cluster.phantoms(), podWritesSeconds, cluster.phantoms() / podWritesSeconds,
                o.policiesFirst() ? "the first pod write" : "the write of policies t and p", fullStateSeconds,
                flowsAfterFill, flowsAtEnd));
        if (!fillTimeline.isEmpty()) {
            List<String> processes = fillTimeline.get(0).cpu().keySet().stream().sorted().toList();
            md.append("Progress of the fill (seconds from the first namespace write; CPU seconds since then):\n\n"
                    + "| s | pods written | phantom flows on node-1 |");
            processes.forEach(p -> md.append(" ").append(p).append(" CPU s |"));
            md.append("\n| ---: | ---: | ---: |").append(" ---: |".repeat(processes.size())).append("\n");
            for (FillSample f : ServiceScaleReport.thin(fillTimeline, 16)) {
                md.append(String.format(Locale.ROOT, "| %.0f | %d | %d |", f.seconds(), f.podsWritten(),
                        f.phantomFlows()));
                processes.forEach(p -> md.append(String.format(Locale.ROOT, " %.1f |", f.cpu().get(p))));
                md.append("\n");
            }
            md.append("\n");
        }
        md.append("| label change (ms) | runs | p50 | p99 | min | max | mean |\n"
                + "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (LatencySample s : List.of(appliedTo, appliedToWrites, peer, peerWrites)) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n", s.operation(),
                    s.samples().size(), s.p50(), s.p99(), s.minMillis(), s.maxMillis(), s.meanMillis()));
        }
        md.append(String.format(Locale.ROOT, "%nThe %d changes took %.1f s of wall time; CPU seconds used meanwhile: ",
                2 * o.changes(), changesSeconds));
        md.append(String.join(", ", cpuDuringChanges.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue())).toList())).append(".\n");
        if (fillPauses + changePauses > 0) {
            md.append("\novs-vswitchd paused the flow monitor (it had more updates queued than it buffers, e.g. the ")
                    .append("10,000 flows of t's address group at once) ").append(fillPauses)
                    .append(" time(s) during the fill, ").append(changePauses).append(" during the changes.\n");
        }
        md.append("\n| memory | heap used after GC MiB | heap committed MiB | RSS MiB | peak RSS MiB |\n"
                + "| --- | ---: | ---: | ---: | ---: |\n");
        for (Memory m : memory) {
            JvmMemory j = m.memory();
            md.append("| ").append(m.process()).append(", ").append(m.when()).append(" | ")
                    .append(JvmMemory.mib(j.heapUsedKib())).append(" | ").append(JvmMemory.mib(j.heapCommittedKib()))
                    .append(" | ").append(JvmMemory.mib(j.rssKib())).append(" | ").append(JvmMemory.mib(j.peakRssKib()))
                    .append(" |\n");
        }
        profile(md, "the fill", fillProfile);
        profile(md, "the changes", changeProfile);
        md.append("\nEnd state (both labels set), checked:\n\n");
        endChecks.forEach(c -> md.append("- ").append(c).append("\n"));
        md.append("\n```\n").append(summaryLine()).append("\n```\n");
        return md.toString();
    }

    private static void profile(StringBuilder md, String phase, Map<String, ThreadSamples> profile) {
        profile.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            ThreadSamples samples = entry.getValue();
            md.append("\n").append(capitalized(entry.getKey())).append(" during ").append(phase).append(", in ")
                    .append(samples.samples()).append(" dumps:\n\n| dumps | top frame <- innermost Trellis frame |\n"
                            + "| ---: | --- |\n");
            for (Map.Entry<String, Integer> e : samples.ranking().stream().limit(8).toList()) {
                md.append("| ").append(e.getValue()).append(" | `").append(e.getKey()).append("` |\n");
            }
        });
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
