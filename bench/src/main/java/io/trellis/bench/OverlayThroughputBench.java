package io.trellis.bench;

import static io.trellis.bench.BenchArgs.path;
import static io.trellis.bench.BenchArgs.number;
import static java.util.Objects.requireNonNull;

import io.trellis.e2e.TrellisHome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * TCP throughput between pods on two nodes through Trellis, for the ovs and the iptables backend side by side
 * ({@code --backend ovs|iptables|both}), each next to a hand-made data path of its kind on the same machine in
 * one run: for ovs the minimal pipeline of the shared recipe {@code ovs-two-node-lab.sh} (OVS userspace
 * datapath, Geneve), for iptables {@link KernelVxlanPods} (Linux bridge + kernel VXLAN, nothing else). Every
 * setup is up for the whole run (each measurement has the others idling beside it) and the runs alternate
 * over the setups, so that a change in the machine's load hits all alike. CPU is sampled around every run.
 * Everything is torn down afterwards, also on failure or Ctrl-C.
 */
public final class OverlayThroughputBench {
    static final String NAME = "overlay-throughput";
    /** Seconds at the start of each run iperf3 does not count: TCP slow start, not the steady state. */
    static final int OMIT_SECONDS = 1;
    private static final Path DEFAULT_WORK_DIR = Path.of("/tmp/trellis-bench-overlay");

    record Options(int seconds, int runs, Path report, Path recipe, Path workDir, List<BenchBackend> backends) {
        Options {
            if (seconds < 1 || seconds > 600) {
                throw new IllegalArgumentException("--seconds takes 1 to 600, got " + seconds);
            }
            if (runs < 1 || runs > 50) {
                throw new IllegalArgumentException("--runs takes 1 to 50, got " + runs);
            }
            requireNonNull(workDir, "workDir");
            backends = List.copyOf(backends);
            if (backends.isEmpty() || backends.stream().distinct().count() != backends.size()) {
                throw new IllegalArgumentException("backends: one or two distinct, got " + backends);
            }
        }

        /** {@code --backend} as given, for the command line in the report. */
        String backendOption() {
            return backends.size() == 2 ? "both" : backends.get(0).id();
        }

        /** {@code recipe} null: the recipe beside the source tree, {@code <home>/../shared/recipes/ovs-two-node-lab.sh}. */
        static Options parse(String[] args) {
            int seconds = 10;
            int runs = 3;
            Path report = null;
            Path recipe = null;
            Path workDir = DEFAULT_WORK_DIR;
            List<BenchBackend> backends = BenchBackend.parse("both");
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--seconds" -> seconds = number("--seconds", value);
                    case "--runs" -> runs = number("--runs", value);
                    case "--report" -> report = path("--report", value);
                    case "--recipe" -> recipe = path("--recipe", value);
                    case "--work-dir" -> workDir = path("--work-dir", value);
                    case "--backend" -> backends = BenchBackend.parse(value);
                    default -> throw new IllegalArgumentException("unknown option '" + args[i]
                            + "' (options: --backend ovs|iptables|both, --seconds S, --runs R, --recipe FILE,"
                            + " --work-dir DIR, --report FILE)");
                }
                i++;
            }
            return new Options(seconds, runs, report, recipe, workDir, backends);
        }

        static Path defaultRecipe(TrellisHome home) {
            return home.root().resolve("../shared/recipes/ovs-two-node-lab.sh").normalize();
        }
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException badUsage) {
            // a usage error, not a failure: the message names the option and the value, no stack trace
            System.err.println(NAME + ": " + badUsage.getMessage());
            System.exit(2);
            return;
        }
        TrellisHome home = TrellisHome.locate();
        Path recipe = options.recipe() != null ? options.recipe() : Options.defaultRecipe(home);
        if (options.backends().contains(BenchBackend.OVS)) {
            RecipePods.requireRecipe(recipe);
        }
        requireIperf3();
        OverlayThroughputReport result = run(options, home.root(), recipe);
        if (options.report() != null) {
            new BenchReport(options.report()).writeSection(NAME, result.markdown());
            System.out.println("report: " + options.report());
        }
        result.summaryLines().forEach(System.out::println);
    }

    /** One setup while the runs go on: its pods and what its runs measured so far. */
    private static final class Setup {
        final TwoNodePods pods;
        final String path;
        PodPair pair;
        final List<Iperf3Result> runs = new ArrayList<>();
        CpuUsage cpu;

        Setup(TwoNodePods pods, String path) {
            this.pods = pods;
            this.path = path;
        }

        void start() {
            pair = pods.start();
        }

        void measure(int seconds, String cpuMarker) {
            CpuSnapshot before = CpuSnapshot.take(cpuMarker);
            Iperf3Result run = Iperf3Run.measure(pair, seconds, OMIT_SECONDS);
            CpuUsage used = CpuUsage.between(before, CpuSnapshot.take(cpuMarker));
            runs.add(run);
            cpu = cpu == null ? used : cpu.plus(used);
            System.out.printf(Locale.ROOT, "  %-16s %6.0f Mbit/s %7d retransmits, machine %s, iperf3 %.0f%%, %s%n",
                    pods.name(), run.receivedMbitPerSecond(), run.retransmits(), used.machineSplit(),
                    used.percentOfOneCpu(used.iperf3Seconds()), used.busiestText());
        }

        OverlayThroughputReport.SetupResult result() {
            return new OverlayThroughputReport.SetupResult(pods.name(), path, runs, pair.client().mtu(),
                    PodOffloads.read(pair.client().netns()), cpu);
        }
    }

    /** A backend's two setups: Trellis with it and the hand-made baseline of its kind. */
    private record Compared(BenchBackend backend, Setup trellis, Setup baseline) {
    }

    static OverlayThroughputReport run(Options options, Path home, Path recipe) {
        String loadBefore = MachineLoad.loadAverage();
        Teardown teardown = new Teardown();
        Thread hook = new Thread(() -> {
            // Interrupted (Ctrl-C, SIGTERM): stop our iperf3 or lab command first, then take every setup down.
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroy);
            teardown.close();
        }, "overlay-bench-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (teardown) {
            // Per backend: Trellis, then its baseline (the order the runs alternate in).
            List<Compared> compared = new ArrayList<>();
            for (BenchBackend backend : options.backends()) {
                Setup trellis = new Setup(teardown.register(new TrellisLabPods(home,
                        options.workDir().resolve("lab-" + backend.id()), backend.id())), backend == BenchBackend.OVS
                        ? "lab, OVS userspace datapath, Geneve" : "lab, Linux bridge + kernel VXLAN, iptables");
                Setup baseline = backend == BenchBackend.OVS
                        ? new Setup(teardown.register(new RecipePods(recipe, options.workDir().resolve("recipe"))),
                                "recipe, OVS userspace datapath, Geneve")
                        : new Setup(teardown.register(new KernelVxlanPods(options.workDir().resolve("kernel-vxlan"))),
                                "by hand, Linux bridge + kernel VXLAN");
                compared.add(new Compared(backend, trellis, baseline));
            }
            // The baselines first: the recipe refuses quickly when its fixed names are taken, before a lab's long start.
            compared.forEach(c -> c.baseline().start());
            compared.forEach(c -> c.trellis().start());
            List<Setup> order = compared.stream().flatMap(c -> Stream.of(c.trellis(), c.baseline())).toList();
            order.forEach(s -> Iperf3Run.warmUp(s.pair));
            for (int run = 1; run <= options.runs(); run++) {
                System.out.println("run " + run + " of " + options.runs() + ":");
                for (Setup setup : order) {
                    setup.measure(options.seconds(), options.workDir().toAbsolutePath().normalize().toString());
                }
            }
            String loadAfter = MachineLoad.loadAverage();
            List<OverlayThroughputReport.BackendResult> backends = compared.stream()
                    .map(c -> new OverlayThroughputReport.BackendResult(c.backend().id(), c.trellis().result(),
                            c.baseline().result()))
                    .toList();
            return new OverlayThroughputReport(options.seconds(), options.backendOption(), backends, loadBefore,
                    loadAfter, recipe.getFileName().toString());
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
