package io.trellis.bench;

import static io.trellis.bench.Pause.sleep;
import static io.trellis.bench.BenchArgs.number;

import io.trellis.e2e.AgentNode;
import io.trellis.e2e.AgentProcess;
import io.trellis.e2e.ApiStandInProcess;
import io.trellis.e2e.AttachedPod;
import io.trellis.e2e.TrellisHome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Services at scale on one node, for each backend in turn ({@code --backend ovs|iptables|both}), each on
 * its own sandboxed node ({@link AgentNode}: the API stand-in and the real agent; OVS: own ovsdb-server
 * and ovs-vswitchd with the userspace datapath, {@code serviceProxy: ovs}; iptables: a netns without OVS,
 * {@code podInterface: linux-bridge}, {@code serviceProxy: iptables}) with endpoint pods running a
 * one-line TCP server and a client pod.
 * <ol>
 *   <li>From scratch (default): N Services (TCP, one port, a named targetPort) and their EndpointSlices
 *       (E ready endpoints each: the same E pods for every Service) written while the agent is stopped;
 *       the data plane emptied ({@link ScalePlane#clear}); timed from the agent's start until the
 *       last-written Service answers a real connection from the client pod; the data plane's totals
 *       sampled meanwhile and checked at the end. With {@code --burst} the agent runs during the writes
 *       and the start from scratch follows as a second phase.</li>
 *   <li>Endpoint changes: C times, one Service's slice loses one endpoint (a different Service each
 *       time, spread over all N), timed from the write until the data plane no longer sends to that
 *       endpoint (OVS: the group's buckets; iptables: the Service's SVC chain); then one connection must
 *       reach another endpoint.</li>
 *   <li>The agent's heap after a full GC ({@code jcmd GC.run}, {@code jstat -gc}) and resident set
 *       ({@code VmRSS}, peak {@code VmHWM}), after each phase.</li>
 * </ol>
 * Each programming phase is watched by a {@link ProgressObserver} (totals, CPU, thread dumps of the
 * agent); {@link ServiceScaleReport} writes the section of docs/benchmarks.md, a column per backend.
 */
public final class ServiceScaleBench {
    static final String NAME = "service-scale";
    private static final String POD_CIDR = "10.97.0.0/24";
    private static final String IPTABLES_PROXY_LOGGER = "io.trellis.iptables.service.IptablesServiceProxy";
    /**
     * JVM options added to both backends' agents ({@code TRELLIS_BENCH_AGENT_JAVA_OPTS} in service-scale.sh;
     * the default heap, 512 MiB, is the launcher's: at 10,000 x 10 the iptables agent's informer caches plus
     * its generated rule text need ~265 MiB, more than the 256 MiB the launcher gave before).
     */
    static final String AGENT_JAVA_OPTIONS_PROPERTY = "trellis.bench.agentJavaOptions";

    /** The measured agent's JVM options (the later of two {@code -Xmx} wins). */
    static String agentJavaOptions() {
        String extra = extraAgentJavaOptions();
        return AgentProcess.DEFAULT_JAVA_OPTS + (extra.isEmpty() ? "" : " " + extra);
    }

    private static String extraAgentJavaOptions() {
        return System.getProperty(AGENT_JAVA_OPTIONS_PROPERTY, "").strip();
    }
    private static final String API_STAND_IN_CLASS = "io.trellis.e2e.ApiStandIn ";
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(300);
    private static final Duration CONVERGE_TIMEOUT = Duration.ofMinutes(40);
    // Generous: an incremental iptables-restore into a large nat table is slow, and it is measured, not judged.
    private static final Duration CHANGE_TIMEOUT = Duration.ofMinutes(10);

    record Options(int services, int endpoints, int changes, int writers, boolean burst, Path report,
                   List<BenchBackend> backends) {
        Options {
            backends = List.copyOf(backends);
            if (backends.isEmpty() || backends.stream().distinct().count() != backends.size()) {
                throw new IllegalArgumentException("backends: one or two distinct, got " + backends);
            }
            if (writers < 1 || writers > 64) {
                throw new IllegalArgumentException("--writers takes 1 to 64, got " + writers);
            }
            if (services < 1 || services > ScaleService.MAX) {
                throw new IllegalArgumentException("--services takes 1 to " + ScaleService.MAX + " (the Service CIDR "
                        + ScaleService.SERVICE_CIDR + "), got " + services);
            }
            if (endpoints < 2 || endpoints > 100) {
                throw new IllegalArgumentException("--endpoints takes 2 to 100 (one is removed per change), got "
                        + endpoints);
            }
            if (changes < 1 || changes > services) {
                throw new IllegalArgumentException("--changes takes 1 to --services (" + services
                        + ": each change touches another Service), got " + changes);
            }
        }

        /** Both backends. */
        Options(int services, int endpoints, int changes, int writers, boolean burst, Path report) {
            this(services, endpoints, changes, writers, burst, report, List.of(BenchBackend.OVS, BenchBackend.IPTABLES));
        }

        /** {@code --backend} as given, for the command line in the report. */
        String backendOption() {
            return backends.size() == 2 ? "both" : backends.get(0).id();
        }

        static Options parse(String[] args) {
            int services = 10_000;
            int endpoints = 10;
            int changes = 100;
            int writers = 4;
            boolean burst = false;
            Path report = null;
            List<BenchBackend> backends = List.of(BenchBackend.OVS, BenchBackend.IPTABLES);
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (args[i].equals("--burst")) {
                    burst = true;
                    continue;
                }
                switch (args[i]) {
                    case "--services" -> services = number("--services", value);
                    case "--endpoints" -> endpoints = number("--endpoints", value);
                    case "--changes" -> changes = number("--changes", value);
                    case "--writers" -> writers = number("--writers", value);
                    case "--report" -> report = value == null ? null : Path.of(value);
                    case "--backend" -> backends = BenchBackend.parse(value);
                    default -> throw new IllegalArgumentException("unknown option '" + args[i]
                            + "' (options: --services N, --endpoints E, --changes C, --writers W, "
                            + "--burst, --backend ovs|iptables|both, --report FILE)");
                }
                i++;
            }
            return new Options(services, endpoints, changes, writers, burst, report, backends);
        }

        /** The Service whose slice the {@code change}-th change edits: spread evenly, the last one included. */
        ScaleService changed(int change) {
            return new ScaleService((int) ((long) (change + 1) * services / changes) - 1);
        }
    }

    public static void main(String[] args) {
        Options options = Options.parse(args);
        ServiceScaleReport result = run(options, TrellisHome.locate());
        if (options.report() != null) {
            new BenchReport(options.report()).writeSection(NAME, result.markdown());
            System.out.println("report: " + options.report());
        }
        result.summaryLines().forEach(System.out::println);
    }

    static ServiceScaleReport run(Options options, TrellisHome home) {
        String loadBefore = MachineLoad.loadAverage();
        List<ServiceScaleReport.BackendResult> results = new ArrayList<>();
        for (BenchBackend backend : options.backends()) {
            System.out.println("== service-scale: backend " + backend.id() + " ==");
            results.add(runOne(options, backend, home));
        }
        return new ServiceScaleReport(options, loadBefore, MachineLoad.loadAverage(), results);
    }

    /** One backend on its own node, torn down before the next one starts (they would share the 2 cores). */
    private static ServiceScaleReport.BackendResult runOne(Options options, BenchBackend backend, TrellisHome home) {
        Teardown teardown = new Teardown();
        Thread hook = new Thread(teardown::close, "service-scale-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (teardown) {
            AgentNode.Options nodeOptions = new AgentNode.Options(POD_CIDR, "192.168.97.2", 1450).withServiceProxy();
            AgentNode node = teardown.register(AgentNode.start(home,
                    backend == BenchBackend.OVS ? nodeOptions : nodeOptions.withIptables()));
            // From the agent's next start on: the measured one, after the Services are written.
            if (!extraAgentJavaOptions().isEmpty()) {
                node.addAgentJavaOptions(extraAgentJavaOptions());
            }
            if (backend == BenchBackend.IPTABLES) {
                // The proxy's per-sync debug lines (restore size and duration) from the agent's next start on.
                node.addAgentJavaOptions("-Dorg.slf4j.simpleLogger.log." + IPTABLES_PROXY_LOGGER + "=debug");
            }
            ScalePlane plane = backend == BenchBackend.OVS ? new ScalePlane.Ovs(node)
                    : new ScalePlane.Iptables(node, options.endpoints());
            return new Run(options, node, plane, teardown).measure();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or has run: it tears down
            }
        }
    }

    /** One run on a started node. */
    private static final class Run {
        private final Options options;
        private final AgentNode node;
        private final ScalePlane plane;
        private final ApiStandInProcess api;
        private final long apiPid;
        private final List<AttachedPod> endpoints = new ArrayList<>();
        private final List<String> endpointIps = new ArrayList<>();
        private final PodClient client;
        /** The agent's last start (restart phase): a failed one ends the waits for answers. */
        private CompletableFuture<?> agentStart = CompletableFuture.completedFuture(null);

        Run(Options options, AgentNode node, ScalePlane plane, Teardown teardown) {
            this.options = options;
            this.node = node;
            this.plane = plane;
            this.api = node.api();
            // One node at a time: the previous backend's stand-in has ended.
            this.apiPid = ProcessHandle.current().descendants().mapToLong(ProcessHandle::pid)
                    .filter(pid -> commandLine(pid).contains(API_STAND_IN_CLASS)).findFirst().orElseThrow(
                            () -> new IllegalStateException("no " + API_STAND_IN_CLASS + " process among this JVM's children"));
            for (int i = 0; i < options.endpoints(); i++) {
                AttachedPod pod = node.addPod(ScaleService.NAMESPACE, "ep-" + i);
                endpoints.add(pod);
                endpointIps.add(pod.ip());
                teardown.register(EndpointServer.start(pod.netns().name(), "ep-" + i, ScaleService.TARGET_PORT));
            }
            AttachedPod clientPod = node.addPod(ScaleService.NAMESPACE, "client");
            this.client = teardown.register(new PodClient(clientPod.netns().name()));
            // The pods and servers work on their own before any Service exists.
            for (int i = 0; i < endpoints.size(); i++) {
                String answer = client.ask(endpoints.get(i).ip(), ScaleService.TARGET_PORT, Duration.ofSeconds(5));
                if (!answer.equals("ep-" + i)) {
                    throw new IllegalStateException("pod ep-" + i + " (" + endpoints.get(i).ip() + ") answered '"
                            + answer + "' directly");
                }
            }
        }

        ServiceScaleReport.BackendResult measure() {
            if (plane instanceof ScalePlane.Ovs ovs) {
                ovs.baseline();
            }
            PlaneCounts before = plane.counts();
            System.out.printf(Locale.ROOT, "%s node up: %d endpoint pods, the data plane holds %s%n", plane.name(),
                    endpoints.size(), before);
            List<ServiceScaleReport.Memory> memory = new ArrayList<>();

            ServiceScaleReport.Phase first;
            double written;
            if (options.burst()) {
                first = burst();
                written = first.started();
            } else {
                // The agent down while the Services are written (no watch events: the stand-in takes them
                // faster, and no watch is closed under load, which stalls the fabric8 mock), then started.
                node.agent().stop(Duration.ofSeconds(30));
                Process writer = startWriter();
                long t0 = System.nanoTime();
                try {
                    written = awaitWriter(writer, t0);
                } finally {
                    HostCommand.kill(writer);
                }
                System.out.printf(Locale.ROOT, "%.1f s: all %d Services and slices written (agent stopped)%n", written,
                        options.services());
                first = restart();
            }
            memory.add(new ServiceScaleReport.Memory("after programming " + options.services() + " Services", memory()));
            System.out.println("agent after programming: " + memory.get(memory.size() - 1).memory());
            List<ClassHistogram.Row> histogram = ClassHistogram.top(HostCommand.capture(List.of("jcmd",
                    Long.toString(node.agent().pid()), "GC.class_histogram"), Duration.ofSeconds(120)).check().stdout(), 15);

            List<Duration> changeTimes = new ArrayList<>();
            List<Duration> writeTimes = new ArrayList<>();
            changes(changeTimes, writeTimes);
            LatencySample changes = new LatencySample("slice write to data plane updated (ms)", changeTimes);
            LatencySample changeWrites = new LatencySample("of which the write through the stand-in (ms)", writeTimes);
            System.out.printf(Locale.ROOT, "endpoint change x%d: p50 %.1f ms, p99 %.1f ms%n", changeTimes.size(),
                    changes.p50(), changes.p99());
            memory.add(new ServiceScaleReport.Memory("after the " + options.changes() + " changes", memory()));
            System.out.println("agent after the changes: " + memory.get(memory.size() - 1).memory());
            long warnings = syncWarnings();

            Optional<ServiceScaleReport.Phase> restart = Optional.empty();
            if (options.burst()) {
                restart = Optional.of(restart());
                memory.add(new ServiceScaleReport.Memory("after the restart from scratch", memory()));
                System.out.println("agent after the restart: " + memory.get(memory.size() - 1).memory());
                warnings += syncWarnings();
            }
            Map<String, String> facts = plane.facts(allAgentLogs());
            facts.forEach((k, v) -> System.out.println(plane.name() + ": " + k + ": " + v));
            return new ServiceScaleReport.BackendResult(plane.name(), plane.countsMeaning(options.services()),
                    written, first, restart, changes, changeWrites, memory, histogram, warnings, facts);
        }

        // ------------------------------------------------------------------ phases

        /** The agent runs; every Service and slice is written as fast as the stand-in takes them. */
        private ServiceScaleReport.Phase burst() {
            ScaleService first = new ScaleService(0);
            ScaleService last = new ScaleService(options.services() - 1);
            Process writer = startWriter();
            long logOffset = agentLogLength();
            long t0 = System.nanoTime();
            long agentPid = node.agent().pid();
            ProgressObserver observer = new ProgressObserver(t0, plane::counts, () -> agentPid, plane::cpuSeconds, apiPid);
            double written;
            double lastAnswer;
            double firstAnswered;
            double[] complete;
            try {
                CompletableFuture<Double> firstAnswer = CompletableFuture.supplyAsync(() -> awaitAnswer(first, t0));
                try {
                    written = awaitWriter(writer, t0);
                } finally {
                    HostCommand.kill(writer);
                }
                System.out.printf(Locale.ROOT, "%.1f s: all %d Services and slices written%n", written,
                        options.services());
                lastAnswer = awaitAnswer(last, t0);
                System.out.printf(Locale.ROOT, "%.1f s: the last Service (%s) answers%n", lastAnswer, last.frontend());
                firstAnswered = firstAnswer.join();
                plane.learn(options.services());
                complete = awaitTotals(t0);
            } catch (RuntimeException e) {
                observer.stop();
                throw e;
            }
            List<ProgressObserver.Sample> timeline = observer.stop();
            ServiceScaleReport.Phase phase = new ServiceScaleReport.Phase("all written", written, firstAnswered, lastAnswer,
                    earliest(timeline, complete[0], true), earliest(timeline, complete[1], false), timeline,
                    ProgressObserver.profile(agentLogSince(logOffset), plane.profiledThreads()));
            System.out.printf(Locale.ROOT, "burst: Services complete at %.1f s, entries at %.1f s%n",
                    phase.servicesComplete(), phase.entriesComplete());
            return phase;
        }

        /** One endpoint leaves one Service's slice at a time; each timed until the data plane shows it. */
        private void changes(List<Duration> changeTimes, List<Duration> writeTimes) {
            plane.prepareChanges();
            for (int c = 0; c < options.changes(); c++) {
                ScaleService s = options.changed(c);
                int removed = c % endpoints.size();
                List<String> remaining = new ArrayList<>(endpointIps);
                String gone = remaining.remove(removed) + ":" + ScaleService.TARGET_PORT;
                ScalePlane.ChangeProbe probe = plane.probe(s, gone, remaining.size());
                long start = System.nanoTime();
                api.putSlice(ScaleService.NAMESPACE, s.sliceName(), s.name(), ScaleService.PORT_NAME,
                        ScaleService.TARGET_PORT, remaining);
                writeTimes.add(Duration.ofNanos(System.nanoTime() - start));
                while (!probe.done()) {
                    if (System.nanoTime() - start > CHANGE_TIMEOUT.toNanos()) {
                        throw new IllegalStateException(s.frontend() + ": " + probe.lastSeen() + " " + CHANGE_TIMEOUT
                                + " after " + gone + " left its slice");
                    }
                }
                changeTimes.add(Duration.ofNanos(System.nanoTime() - start));
                String answer = client.ask(s.clusterIp(), ScaleService.PORT, Duration.ofSeconds(5));
                if (!PodClient.answered(answer) || answer.equals("ep-" + removed)) {
                    throw new IllegalStateException(s.frontend() + " answered '" + answer + "' after ep-" + removed
                            + " left its slice");
                }
            }
        }

        /** The agent stopped, the data plane emptied of every Service, the agent started: it programs all anew. */
        private ServiceScaleReport.Phase restart() {
            ScaleService first = new ScaleService(0);
            ScaleService last = new ScaleService(options.services() - 1);
            node.agent().stop(Duration.ofSeconds(30));
            plane.clear();
            long t0 = System.nanoTime();
            // The new agent's pid once its JVM has logged (SIGQUIT kills a JVM not started yet, or its launcher).
            CompletableFuture<Long> readyAt = CompletableFuture.supplyAsync(() -> {
                // Returns once the agent logged that it is ready (polled every 50 ms): after its first Service
                // sync, which takes minutes on the iptables proxy with thousands of Services.
                node.startAgent(CONVERGE_TIMEOUT);
                return System.nanoTime();
            });
            agentStart = readyAt;
            ProgressObserver observer = new ProgressObserver(t0, plane::counts, this::loggingAgentPid, plane::cpuSeconds,
                    apiPid);
            double lastAnswer;
            double ready;
            double firstAnswered;
            double[] complete;
            try {
                CompletableFuture<Double> firstAnswer = CompletableFuture.supplyAsync(() -> awaitAnswer(first, t0));
                lastAnswer = awaitAnswer(last, t0);
                System.out.printf(Locale.ROOT, "restart: %.1f s: the last Service answers%n", lastAnswer);
                ready = (readyAt.join() - t0) / 1e9;
                firstAnswered = firstAnswer.join();
                plane.learn(options.services());
                complete = awaitTotals(t0);
            } catch (RuntimeException e) {
                observer.stop();
                throw e;
            }
            List<ProgressObserver.Sample> timeline = observer.stop();
            String log;
            try {
                log = Files.readString(node.agent().log());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ServiceScaleReport.Phase phase = new ServiceScaleReport.Phase("agent ready", ready, firstAnswered,
                    lastAnswer, earliest(timeline, complete[0], true), earliest(timeline, complete[1], false), timeline,
                    ProgressObserver.profile(log, plane.profiledThreads()));
            System.out.printf(Locale.ROOT, "restart: ready at %.1f s, Services complete at %.1f s, entries at %.1f s%n",
                    phase.started(), phase.servicesComplete(), phase.entriesComplete());
            return phase;
        }

        // ------------------------------------------------------------------ helpers

        /** The agent's pid while its JVM is up and logging, else -1. */
        private long loggingAgentPid() {
            io.trellis.e2e.AgentProcess agent = node.agent();
            try {
                if (agent != null && agent.isAlive() && Files.size(agent.log()) > 0) {
                    return agent.pid();
                }
            } catch (IOException e) {
                // not there yet
            }
            return -1;
        }

        /** Polls the totals until the plane holds every Service; returns when each count was first complete. */
        private double[] awaitTotals(long t0) {
            PlaneCounts expected = plane.expected(options.services());
            double servicesComplete = -1;
            double entriesComplete = -1;
            while (true) {
                PlaneCounts now = plane.counts();
                double at = (System.nanoTime() - t0) / 1e9;
                if (servicesComplete < 0 && now.services() == expected.services()) {
                    servicesComplete = at;
                }
                if (entriesComplete < 0 && now.entries() == expected.entries()) {
                    entriesComplete = at;
                }
                if (servicesComplete >= 0 && entriesComplete >= 0) {
                    return new double[] {servicesComplete, entriesComplete};
                }
                if (System.nanoTime() - t0 > CONVERGE_TIMEOUT.toNanos()) {
                    throw new IllegalStateException(plane.name() + " holds " + now + ", expected " + expected + ", "
                            + CONVERGE_TIMEOUT + " after the phase began");
                }
                sleep(200);
            }
        }

        /** {@code polled}, or the first sample holding the totals when that one came earlier. */
        private double earliest(List<ProgressObserver.Sample> timeline, double polled, boolean services) {
            PlaneCounts expected = plane.expected(options.services());
            return timeline.stream().filter(s -> services ? s.services() == expected.services()
                            : s.entries() == expected.entries())
                    .mapToDouble(ProgressObserver.Sample::seconds).findFirst().stream()
                    .map(first -> Math.min(first, polled)).findFirst().orElse(polled);
        }
        /**
         * Starts {@link ScaleWriter} in the node's namespace (the stand-in listens on its loopback) with
         * this JVM's class path; returns once its client is up, waiting for the go.
         */
        private Process startWriter() {
            Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
            List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", node.netns(), javaBin.toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    ScaleWriter.class.getName(), api.url(), Integer.toString(options.services()),
                    Integer.toString(options.writers()), AgentNode.NODE_NAME));
            command.addAll(endpointIps);
            Process writer;
            try {
                writer = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                writerOut = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
                String line = writerOut.readLine();
                if (!"ready".equals(line)) {
                    HostCommand.kill(writer);
                    throw new IllegalStateException("the Service writer did not start (said '" + line + "')");
                }
                writer.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
                writer.getOutputStream().flush();
                return writer;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the Service writer", e);
            }
        }

        private BufferedReader writerOut;

        /** Seconds after {@code t0} at which the writer said it had written everything. */
        private double awaitWriter(Process writer, long t0) {
            try {
                String line;
                String last = null;
                while ((line = writerOut.readLine()) != null) {
                    last = line;
                    if (line.startsWith("written ") && line.endsWith("000")) {
                        System.out.printf(Locale.ROOT, "%.1f s: %s Services and slices written%n",
                                (System.nanoTime() - t0) / 1e9, line.substring("written ".length()));
                    }
                    if (line.startsWith("done ")) {
                        break;
                    }
                }
                double at = (System.nanoTime() - t0) / 1e9;
                if (last == null || !last.equals("done " + options.services())) {
                    throw new IllegalStateException("the Service writer stopped after '" + last + "'");
                }
                writer.waitFor();
                return at;
            } catch (IOException e) {
                throw new UncheckedIOException("reading the Service writer", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while writing Services", e);
            }
        }

        /** Seconds after {@code t0} at which {@code service} first answered a connection from the client pod. */
        private double awaitAnswer(ScaleService service, long t0) {
            while (true) {
                long attempt = System.nanoTime();
                String answer = client.ask(service.clusterIp(), ScaleService.PORT, CONNECT_TIMEOUT);
                if (PodClient.answered(answer)) {
                    if (!answer.startsWith("ep-")) {
                        throw new IllegalStateException(service.frontend() + " answered '" + answer + "'");
                    }
                    return (System.nanoTime() - t0) / 1e9;
                }
                if (agentStart.isCompletedExceptionally()) {
                    agentStart.join();   // throws why the agent did not start
                }
                if (System.nanoTime() - t0 > CONVERGE_TIMEOUT.toNanos()) {
                    throw new IllegalStateException(service.frontend() + " did not answer within " + CONVERGE_TIMEOUT
                            + " (last: " + answer + "); agent log:\n" + tail(30));
                }
                long left = attempt + 50_000_000L - System.nanoTime();
                if (left > 0) {
                    sleep(left / 1_000_000 + 1);
                }
            }
        }

        private JvmMemory memory() {
            String pid = Long.toString(node.agent().pid());
            HostCommand.capture(List.of("jcmd", pid, "GC.run"), Duration.ofSeconds(60)).check();
            String jstat = HostCommand.capture(List.of("jstat", "-gc", pid), Duration.ofSeconds(60)).check().stdout();
            try {
                return JvmMemory.of(jstat, Files.readString(Path.of("/proc", pid, "status")));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the agent's /proc status", e);
            }
        }

        /** Warnings of the agent's Service sync or of the iptables proxy in the current agent's log. */
        private long syncWarnings() {
            return agentLogSince(0).lines().filter(l -> l.contains("WARN")
                    && (l.contains("ServiceSync") || l.contains("IptablesServiceProxy"))).count();
        }

        /** Every agent log of this node (each start writes its own), concatenated. */
        private String allAgentLogs() {
            Path dir = node.agent().log().getParent();
            try (var files = Files.list(dir)) {
                StringBuilder all = new StringBuilder();
                for (Path log : files.filter(f -> f.getFileName().toString().matches("agent-\\d+\\.log")).sorted()
                        .toList()) {
                    all.append(Files.readString(log));
                }
                return all.toString();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the agent logs in " + dir, e);
            }
        }

        private String tail(int lines) {
            List<String> all = agentLogSince(0).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }

        private long agentLogLength() {
            return agentLogSince(0).length();
        }

        private String agentLogSince(long offset) {
            try {
                String log = Files.readString(node.agent().log());
                return log.substring((int) Math.min(offset, log.length()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the agent log", e);
            }
        }

        private static String commandLine(long pid) {
            try {
                return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                        StandardCharsets.UTF_8).replace('\0', ' ');
            } catch (IOException e) {
                return "";
            }
        }
    }
}
