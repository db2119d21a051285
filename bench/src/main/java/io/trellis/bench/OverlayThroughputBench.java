package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import io.trellis.e2e.TrellisHome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * TCP throughput between pods on two nodes through Trellis (a two-node {@code ./trellis lab}: agents,
 * Geneve overlay) next to the same measurement through the minimal hand-written pipeline of the shared
 * recipe {@code ovs-two-node-lab.sh}, on the same machine in one run. Both setups are up for the whole
 * run (each measurement has the other idling beside it) and the runs alternate, ours then minimal, so
 * that a change in the machine's load hits both alike. Both are torn down afterwards, also on failure or
 * Ctrl-C.
 */
public final class OverlayThroughputBench {
    static final String NAME = "overlay-throughput";
    /** Seconds at the start of each run iperf3 does not count: TCP slow start, not the steady state. */
    static final int OMIT_SECONDS = 1;
    private static final Path DEFAULT_WORK_DIR = Path.of("/tmp/trellis-bench-overlay");

    record Options(int seconds, int runs, Path report, Path recipe, Path workDir) {
        Options {
            if (seconds < 1 || seconds > 600) {
                throw new IllegalArgumentException("--seconds takes 1 to 600, got " + seconds);
            }
            if (runs < 1 || runs > 50) {
                throw new IllegalArgumentException("--runs takes 1 to 50, got " + runs);
            }
            requireNonNull(workDir, "workDir");
        }

        /** {@code recipe} null: the recipe beside the source tree, {@code <home>/../shared/recipes/ovs-two-node-lab.sh}. */
        static Options parse(String[] args) {
            int seconds = 10;
            int runs = 3;
            Path report = null;
            Path recipe = null;
            Path workDir = DEFAULT_WORK_DIR;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--seconds" -> seconds = number("--seconds", value);
                    case "--runs" -> runs = number("--runs", value);
                    case "--report" -> report = path("--report", value);
                    case "--recipe" -> recipe = path("--recipe", value);
                    case "--work-dir" -> workDir = path("--work-dir", value);
                    default -> throw new IllegalArgumentException("unknown option '" + args[i]
                            + "' (options: --seconds S, --runs R, --recipe FILE, --work-dir DIR, --report FILE)");
                }
                i++;
            }
            return new Options(seconds, runs, report, recipe, workDir);
        }

        static Path defaultRecipe(TrellisHome home) {
            return home.root().resolve("../shared/recipes/ovs-two-node-lab.sh").normalize();
        }

        private static int number(String option, String value) {
            try {
                return Integer.parseInt(String.valueOf(value));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " takes a whole number, got '" + value + "'");
            }
        }

        private static Path path(String option, String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(option + " takes a path");
            }
            return Path.of(value);
        }
    }

    /** The runs of both setups in the order they alternated, with the pods' MTUs and the load around them. */
    record Result(int seconds, List<Iperf3Result> ours, List<Iperf3Result> minimal, int oursMtu, int minimalMtu,
            String loadBefore, String loadAfter, Path recipe) {
        Result {
            ours = List.copyOf(ours);
            minimal = List.copyOf(minimal);
            if (ours.isEmpty() || ours.size() != minimal.size()) {
                throw new IllegalArgumentException("runs: " + ours.size() + " ours, " + minimal.size() + " minimal");
            }
            requireNonNull(loadBefore, "loadBefore");
            requireNonNull(loadAfter, "loadAfter");
            requireNonNull(recipe, "recipe");
        }

        double oursMbps() {
            return median(ours);
        }

        double minimalMbps() {
            return median(minimal);
        }

        double ratio() {
            return oursMbps() / minimalMbps();
        }

        String summaryLine() {
            return String.format(Locale.ROOT, "%s seconds=%d runs=%d ours_mbps=%.0f minimal_mbps=%.0f ratio=%.2f", NAME,
                    seconds, ours.size(), oursMbps(), minimalMbps(), ratio());
        }

        String markdown() {
            StringBuilder md = new StringBuilder();
            md.append("## ").append(NAME).append("\n\n");
            md.append("Command: `./trellis bench overlay-throughput --seconds ").append(seconds).append(" --runs ")
                    .append(ours.size()).append("`\n\n");
            md.append("""
                    TCP throughput between two pods on different nodes, one iperf3 stream for %1$d s (after %2$d s
                    not counted) from the pod on the first node to the pod on the second, as the receiver counts
                    it. **ours**: a two-node `./trellis lab` (underlay bridge, one OVS per node with the userspace
                    datapath, the agents' pipeline and Geneve overlay, the controller), pods pinned with
                    `spec.nodeName` and created through the lab kubelet and `trellis-cni`. **minimal**: the shared
                    recipe `%3$s` run as it is: two OVS instances joined by a veth, six hand-written flows and a
                    select group per node (conntrack, one flow-based Geneve port). Both setups are up for the whole run, the runs
                    alternate (ours, minimal, ...), iperf3 runs with `ip netns exec` in the pods' namespaces the
                    same way for both. Median of the runs in Mbit/s; ratio = ours / minimal.

                    """.formatted(seconds, OMIT_SECONDS, recipe.getFileName()));
            md.append(String.format(Locale.ROOT, "Pod MTU: ours %d (TCP MSS %d), minimal %d (TCP MSS %d).%n%n", oursMtu,
                    ours.get(0).mss(), minimalMtu, minimal.get(0).mss()));
            md.append("Load average when the run started: ").append(loadBefore).append("; when it ended: ")
                    .append(loadAfter).append("\n\n");
            md.append("| run | ours (Mbit/s) | ours retransmits | minimal (Mbit/s) | minimal retransmits |\n");
            md.append("| --- | ---: | ---: | ---: | ---: |\n");
            for (int r = 0; r < ours.size(); r++) {
                md.append(String.format(Locale.ROOT, "| %d | %.0f | %d | %.0f | %d |%n", r + 1,
                        ours.get(r).receivedMbitPerSecond(), ours.get(r).retransmits(),
                        minimal.get(r).receivedMbitPerSecond(), minimal.get(r).retransmits()));
            }
            md.append("\n```\n").append(summaryLine()).append("\n```\n");
            return md.toString();
        }

        /** Median receiver throughput in Mbit/s (mean of the middle two for an even count). */
        static double median(List<Iperf3Result> runs) {
            double[] mbps = runs.stream().mapToDouble(Iperf3Result::receivedMbitPerSecond).sorted().toArray();
            int n = mbps.length;
            return n % 2 == 1 ? mbps[n / 2] : (mbps[n / 2 - 1] + mbps[n / 2]) / 2;
        }
    }

    public static void main(String[] args) {
        Options options = Options.parse(args);
        TrellisHome home = TrellisHome.locate();
        Path recipe = options.recipe() != null ? options.recipe() : Options.defaultRecipe(home);
        RecipePods.requireRecipe(recipe);
        requireIperf3();
        Result result = run(options, home.root(), recipe);
        if (options.report() != null) {
            new BenchReport(options.report()).writeSection(NAME, result.markdown());
            System.out.println("report: " + options.report());
        }
        System.out.println(result.summaryLine());
    }

    static Result run(Options options, Path home, Path recipe) {
        String loadBefore = MachineLoad.loadAverage();
        Teardown teardown = new Teardown();
        Thread hook = new Thread(() -> {
            // Interrupted (Ctrl-C, SIGTERM): stop our iperf3 or lab command first, then take both setups down.
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroy);
            teardown.close();
        }, "overlay-bench-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (teardown) {
            TwoNodePods ours = teardown.register(new TrellisLabPods(home, options.workDir().resolve("lab")));
            TwoNodePods minimal = teardown.register(new RecipePods(recipe, options.workDir().resolve("recipe")));
            // The recipe first: it refuses quickly when its fixed names are taken, before the lab's long start.
            PodPair minimalPods = minimal.start();
            PodPair oursPods = ours.start();
            Iperf3Run.warmUp(oursPods);
            Iperf3Run.warmUp(minimalPods);
            List<Iperf3Result> oursRuns = new ArrayList<>();
            List<Iperf3Result> minimalRuns = new ArrayList<>();
            for (int run = 1; run <= options.runs(); run++) {
                oursRuns.add(Iperf3Run.measure(oursPods, options.seconds(), OMIT_SECONDS));
                minimalRuns.add(Iperf3Run.measure(minimalPods, options.seconds(), OMIT_SECONDS));
                System.out.printf(Locale.ROOT, "run %d: ours %.0f Mbit/s (%d retransmits), minimal %.0f Mbit/s"
                                + " (%d retransmits)%n", run, oursRuns.get(run - 1).receivedMbitPerSecond(),
                        oursRuns.get(run - 1).retransmits(), minimalRuns.get(run - 1).receivedMbitPerSecond(),
                        minimalRuns.get(run - 1).retransmits());
            }
            String loadAfter = MachineLoad.loadAverage();
            return new Result(options.seconds(), oursRuns, minimalRuns, oursPods.client().mtu(),
                    minimalPods.client().mtu(), loadBefore, loadAfter, recipe);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or has run: it tears down
            }
        }
    }

    private static void requireIperf3() {
        HostCommand.Output version = HostCommand.capture(List.of("sh", "-c", "command -v iperf3"),
                java.time.Duration.ofSeconds(10));
        if (!version.succeeded()) {
            throw new IllegalStateException("iperf3 is not installed (apt-get install iperf3; ./trellis installs it)");
        }
    }
}
