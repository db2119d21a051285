package io.trellis.bench;

import static io.trellis.bench.BenchArgs.number;

import io.trellis.e2e.AgentNode;
import io.trellis.e2e.AttachedPod;
import io.trellis.e2e.CniExecutable;
import io.trellis.e2e.PodNetns;
import io.trellis.e2e.TrellisHome;
import io.trellis.ovs.backend.OvsNodeSetup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * CNI ADD and DEL latency the way a container runtime pays it, against the running agent with the
 * real backends: the agent ({@code core-agent/bin/trellis-agent}, host-local IPAM, the ovs backend on
 * a sandboxed ovs-vswitchd with the userspace datapath) runs in the node's network namespace; each
 * operation is one spawn of the packaged {@code trellis-cni} with the CNI variables and the network
 * configuration on stdin, timed from spawn to exit. Pods are added one after the other, then deleted
 * one after the other; afterwards the bridge is checked to hold exactly the expected ports and
 * flows, or the run fails. VERSION (no agent involved) measures the executable's own start-up.
 */
public final class CniLatencyBench {
    static final String NAME = "cni-latency";
    /** Pods added and deleted before measuring: the agent's JIT and the kernel's caches warm up as on a live node. */
    static final int WARMUP_PODS = 3;
    static final int WARMUP_VERSIONS = 5;
    private static final String POD_CIDR = "10.98.0.0/22";
    private static final int MAX_PODS = 1000;

    record Options(int pods, int versionRuns, Path report) {
        Options {
            if (pods < 1 || pods > MAX_PODS) {
                throw new IllegalArgumentException("--pods takes 1 to " + MAX_PODS + " (the pod CIDR is " + POD_CIDR
                        + "), got " + pods);
            }
            if (versionRuns < 1) {
                throw new IllegalArgumentException("--version-runs takes a positive whole number, got " + versionRuns);
            }
        }

        static Options parse(String[] args) {
            int pods = 100;
            int versionRuns = 100;
            Path report = null;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--pods" -> pods = number("--pods", value);
                    case "--version-runs" -> versionRuns = number("--version-runs", value);
                    case "--report" -> report = value == null ? null : Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option '" + args[i]
                            + "' (options: --pods N, --version-runs N, --report FILE)");
                }
                i++;
            }
            return new Options(pods, versionRuns, report);
        }
    }

    record Result(int pods, LatencySample add, LatencySample del, LatencySample version, String loadAverage) {
        String summaryLine() {
            return String.format(Locale.ROOT, "%s pods=%d add_p50_ms=%.1f add_p99_ms=%.1f del_p50_ms=%.1f "
                            + "del_p99_ms=%.1f version_p50_ms=%.1f", NAME, pods, add.p50(), add.p99(), del.p50(), del.p99(),
                    version.p50());
        }

        String markdown(Options options) {
            StringBuilder md = new StringBuilder();
            md.append("## ").append(NAME).append("\n\n");
            md.append("Command: `./trellis bench cni-latency --pods ").append(options.pods()).append(" --version-runs ")
                    .append(options.versionRuns()).append("`\n\n");
            md.append("""
                    CNI ADD and DEL as a container runtime pays them: one spawn of the packaged `trellis-cni`
                    (`cni/bin/trellis-cni`, its class-data-sharing archive built first with `--prepare`) per
                    operation, with the CNI variables and the network configuration on stdin, timed from spawn
                    to exit, against a running agent (`core-agent/bin/trellis-agent`: host-local IPAM and the
                    `ovs` backend on a sandboxed `ovs-vswitchd`, userspace datapath) in the node's network
                    namespace. ADD includes IPAM, the veth pair into the pod's namespace (addresses, routes,
                    checksum offload), the OVS port and the pod's flows; DEL undoes them. Pods are added one after
                    another, then deleted one after another, after %d warm-up pods; the bridge is checked to
                    hold exactly the expected ports and flows after each phase. VERSION never contacts the agent:
                    it is the executable's own start-up and exit. Nearest-rank percentiles, in milliseconds.

                    """.formatted(WARMUP_PODS));
            md.append("Load average when the run started: ").append(loadAverage).append("\n\n");
            md.append("| operation | runs | p50 | p99 | min | max | mean |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (LatencySample s : List.of(add, del, version)) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n", s.operation(),
                        s.samples().size(), s.p50(), s.p99(), s.minMillis(), s.maxMillis(), s.meanMillis()));
            }
            md.append("\n```\n").append(summaryLine()).append("\n```\n");
            return md.toString();
        }
    }

    public static void main(String[] args) {
        Options options = Options.parse(args);
        Result result = run(options, TrellisHome.locate());
        if (options.report() != null) {
            new BenchReport(options.report()).writeSection(NAME, result.markdown(options));
            System.out.println("report: " + options.report());
        }
        System.out.println(result.summaryLine());
    }

    static Result run(Options options, TrellisHome home) {
        String loadAverage = MachineLoad.loadAverage();
        try (AgentNode node = AgentNode.start(home, new AgentNode.Options(POD_CIDR, "192.168.98.2", 1450))) {
            CniExecutable cni = node.cni();
            cni.prepare();
            for (int i = 0; i < WARMUP_VERSIONS; i++) {
                check("VERSION", cni.version());
            }
            for (int i = 0; i < WARMUP_PODS; i++) {
                AttachedPod pod = node.addPod("warmup", "w" + i);
                check("DEL warmup", node.deletePod(pod));
                node.deletePodNetns(pod.netns());
            }

            // The runtime creates the pod's namespace before calling the plugin: not part of the timing.
            List<PodNetns> namespaces = new ArrayList<>();
            for (int i = 0; i < options.pods(); i++) {
                namespaces.add(node.newPodNetns());
            }
            List<Duration> adds = new ArrayList<>();
            List<AttachedPod> pods = new ArrayList<>();
            for (int i = 0; i < namespaces.size(); i++) {
                PodNetns netns = namespaces.get(i);
                String containerId = node.containerId(netns);
                CniExecutable.Run run = cni.add(containerId, netns.path(), "bench", "p" + i);
                check("ADD bench/p" + i, run);
                adds.add(run.elapsed());
                pods.add(AttachedPod.fromResult(netns, containerId, "bench", "p" + i, run.stdout()));
            }
            System.out.printf(Locale.ROOT, "ADD x%d: p50 %.1f ms%n", adds.size(), new LatencySample("ADD", adds).p50());
            verify(node, pods);

            List<Duration> dels = new ArrayList<>();
            for (AttachedPod pod : pods) {
                CniExecutable.Run run = node.deletePod(pod);
                check("DEL " + pod.pod(), run);
                dels.add(run.elapsed());
            }
            System.out.printf(Locale.ROOT, "DEL x%d: p50 %.1f ms%n", dels.size(), new LatencySample("DEL", dels).p50());
            verify(node, List.of());

            List<Duration> versions = new ArrayList<>();
            for (int i = 0; i < options.versionRuns(); i++) {
                CniExecutable.Run run = cni.version();
                check("VERSION", run);
                versions.add(run.elapsed());
            }
            return new Result(options.pods(), new LatencySample("ADD", adds), new LatencySample("DEL", dels),
                    new LatencySample("VERSION", versions), loadAverage);
        }
    }

    private static void check(String what, CniExecutable.Run run) {
        if (!run.succeeded()) {
            throw new IllegalStateException(what + " failed: " + run);
        }
    }

    /** The bridge holds the gateway and exactly these pods' ports, and exactly the flows of a fresh install. */
    private static void verify(AgentNode node, List<AttachedPod> pods) {
        Set<String> expectedPorts = new HashSet<>();
        expectedPorts.add(OvsNodeSetup.GATEWAY_PORT);
        Set<String> ips = new HashSet<>();
        for (AttachedPod pod : pods) {
            expectedPorts.add(pod.hostInterface());
            if (!ips.add(pod.ip())) {
                throw new IllegalStateException("two pods got " + pod.ip());
            }
        }
        Set<String> ports = new HashSet<>(node.bridgePorts());
        if (!ports.equals(expectedPorts)) {
            throw new IllegalStateException("bridge ports " + ports + ", expected " + expectedPorts);
        }
        List<String> table = node.flowTable().stream().sorted().toList();
        List<String> expected = node.expectedFlowTable(pods).stream().sorted().toList();
        if (!table.equals(expected)) {
            List<String> unexpected = new ArrayList<>(table);
            unexpected.removeAll(expected);
            List<String> missing = new ArrayList<>(expected);
            missing.removeAll(table);
            throw new IllegalStateException("flow table with " + pods.size() + " pods differs from a fresh install's: "
                    + table.size() + " flows, expected " + expected.size() + "; unexpected: " + unexpected
                    + "; missing: " + missing);
        }
    }
}
