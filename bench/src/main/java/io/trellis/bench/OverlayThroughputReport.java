package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The numbers of one overlay-throughput run, for each backend measured: Trellis and the hand-made baseline
 * beside it, every iperf3 run, the pods' MTU and where the CPU went; the docs/benchmarks.md section and the
 * machine-readable summary lines (one per backend, printed last).
 */
record OverlayThroughputReport(int seconds, String backendOption, List<BackendResult> backends, String loadBefore,
        String loadAfter, String recipeName) {

    OverlayThroughputReport {
        if (seconds < 1) {
            throw new IllegalArgumentException("seconds must be at least 1, got " + seconds);
        }
        requireNonNull(backendOption, "backendOption");
        backends = List.copyOf(backends);
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("backends: at least one");
        }
        int runs = backends.get(0).trellis().runs().size();
        for (BackendResult b : backends) {
            if (b.trellis().runs().size() != runs || b.baseline().runs().size() != runs) {
                throw new IllegalArgumentException("runs: every setup needs " + runs + ", " + b.trellis().name() + " has "
                        + b.trellis().runs().size() + ", " + b.baseline().name() + " " + b.baseline().runs().size());
            }
        }
        requireNonNull(loadBefore, "loadBefore");
        requireNonNull(loadAfter, "loadAfter");
        requireNonNull(recipeName, "recipeName");
    }

    /**
     * One data path measured: its iperf3 runs in order, the client pod's MTU and offloads ({@link PodOffloads})
     * and the CPU used during its runs.
     */
    record SetupResult(String name, String path, List<Iperf3Result> runs, int mtu, String offloads, CpuUsage cpu) {
        SetupResult {
            requireNonNull(name, "name");
            requireNonNull(path, "path");
            requireNonNull(offloads, "offloads");
            runs = List.copyOf(runs);
            if (runs.isEmpty()) {
                throw new IllegalArgumentException(name + ": no runs");
            }
            requireNonNull(cpu, "cpu");
        }

        double medianMbps() {
            return median(runs, Iperf3Result::receivedMbitPerSecond);
        }

        double minMbps() {
            return runs.stream().mapToDouble(Iperf3Result::receivedMbitPerSecond).min().orElseThrow();
        }

        double maxMbps() {
            return runs.stream().mapToDouble(Iperf3Result::receivedMbitPerSecond).max().orElseThrow();
        }

        double medianRetransmits() {
            return median(runs, Iperf3Result::retransmits);
        }

        int mss() {
            return runs.get(0).mss();
        }
    }

    /** One backend: Trellis with it, and the hand-made data path of the same kind it is compared with. */
    record BackendResult(String backend, SetupResult trellis, SetupResult baseline) {
        BackendResult {
            requireNonNull(backend, "backend");
            requireNonNull(trellis, "trellis");
            requireNonNull(baseline, "baseline");
        }

        double ratio() {
            return trellis.medianMbps() / baseline.medianMbps();
        }

        String summaryLine(int seconds) {
            return String.format(Locale.ROOT, "%s backend=%s seconds=%d runs=%d %s baseline=%s %s ratio=%.2f"
                            + " trellis_pod_mtu=%d baseline_pod_mtu=%d",
                    OverlayThroughputBench.NAME, backend, seconds, trellis.runs().size(), fields("trellis", trellis),
                    baseline.name(), fields("baseline", baseline), ratio(), trellis.mtu(), baseline.mtu());
        }

        private static String fields(String prefix, SetupResult s) {
            return String.format(Locale.ROOT, "%1$s_mbps=%2$.0f %1$s_min_mbps=%3$.0f %1$s_max_mbps=%4$.0f"
                            + " %1$s_retransmits=%5$.0f %1$s_cpu_busy_pct=%6$.0f", prefix, s.medianMbps(), s.minMbps(),
                    s.maxMbps(), s.medianRetransmits(), s.cpu().busyPercent());
        }
    }

    /** Median (mean of the middle two for an even count). */
    static double median(List<Iperf3Result> runs, ToDoubleFunction<Iperf3Result> value) {
        double[] v = runs.stream().mapToDouble(value).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    int runs() {
        return backends.get(0).trellis().runs().size();
    }

    /** Every setup in the order their runs alternated. */
    List<SetupResult> setups() {
        List<SetupResult> all = new ArrayList<>();
        for (BackendResult b : backends) {
            all.add(b.trellis());
            all.add(b.baseline());
        }
        return all;
    }

    /** The machine-readable lines, one per backend. */
    List<String> summaryLines() {
        return backends.stream().map(b -> b.summaryLine(seconds)).toList();
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("## ").append(OverlayThroughputBench.NAME).append("\n\n");
        md.append("Command: `./trellis bench overlay-throughput --backend ").append(backendOption).append(" --seconds ")
                .append(seconds).append(" --runs ").append(runs()).append("`\n\n");
        md.append("""
                TCP throughput between two pods on different nodes, one iperf3 stream for %1$d s (after %2$d s not
                counted) from the pod on the first node to the pod on the second, as the receiver counts it. For
                each backend, Trellis (a two-node `./trellis lab --backend B` in its own lab directory: underlay
                bridge, agents, controller, pods pinned with `spec.nodeName` and created through the lab kubelet
                and `trellis-cni`) and a hand-made data path of the same kind: for **ovs** the shared recipe
                `%3$s` run as it is (two OVS instances with the userspace datapath, six hand-written flows and a
                select group per node, conntrack, one flow-based Geneve port); for **iptables** `kernel-vxlan`,
                two node namespaces on an underlay bridge, each with a Linux bridge for the pod, a kernel VXLAN
                device and the FDB/neighbour/route entries the vxlan driver programs, built with `ip` (no agent,
                no iptables rules, no conntrack). All setups are up for the whole run, the runs alternate over
                them in the order of the tables, iperf3 runs with `ip netns exec` in the pods' namespaces the same
                way for all. Ratio = Trellis median / baseline median.

                """.formatted(seconds, OverlayThroughputBench.OMIT_SECONDS, recipeName));
        md.append("| setup | data path | pod MTU | TCP MSS | client pod offloads | median Mbit/s | min | max"
                + " | retransmits (median per run) | ratio to baseline |\n");
        md.append("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (BackendResult b : backends) {
            row(md, b.trellis(), String.format(Locale.ROOT, "%.2f", b.ratio()));
            row(md, b.baseline(), "");
        }
        md.append("\nEvery run (Mbit/s, retransmits):\n\n| run |");
        for (SetupResult s : setups()) {
            md.append(' ').append(s.name()).append(" |");
        }
        md.append("\n| --- |");
        md.append(" ---: |".repeat(setups().size()));
        md.append('\n');
        for (int r = 0; r < runs(); r++) {
            md.append("| ").append(r + 1).append(" |");
            for (SetupResult s : setups()) {
                Iperf3Result run = s.runs().get(r);
                md.append(String.format(Locale.ROOT, " %.0f (%d) |", run.receivedMbitPerSecond(), run.retransmits()));
            }
            md.append('\n');
        }
        int cpus = setups().get(0).cpu().cpus();
        md.append("\nCPU during each setup's runs (").append(cpus).append(" CPUs; the machine's share from `/proc/stat`,")
                .append(" processes in percent of one CPU from `/proc/PID/stat`, grouped by name; `java (bench)`: the")
                .append(" labs' JVMs and the benchmark's, `java (other)`: other work on the machine; iperf3 = both")
                .append(" ends, the benchmark's children):\n\n");
        md.append("| setup | wall s | machine | iperf3 | busiest processes |\n");
        md.append("| --- | ---: | --- | ---: | --- |\n");
        for (SetupResult s : setups()) {
            CpuUsage c = s.cpu();
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %.0f%% | %s |%n", s.name(), c.wallSeconds(),
                    c.machineSplit(), c.percentOfOneCpu(c.iperf3Seconds()), c.busiestText()));
        }
        md.append("\nLoad average when the run started: ").append(loadBefore).append("; when it ended: ")
                .append(loadAfter).append("\n\n");
        md.append("```\n").append(String.join("\n", summaryLines())).append("\n```\n");
        return md.toString();
    }

    private static void row(StringBuilder md, SetupResult s, String ratio) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %.0f | %.0f | %.0f | %.0f | %s |%n", s.name(),
                s.path(), s.mtu(), s.mss(), s.offloads(), s.medianMbps(), s.minMbps(), s.maxMbps(),
                s.medianRetransmits(), ratio));
    }
}
