package io.trellis.bench;

import io.trellis.e2e.AgentNode;
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
 * Services at scale on one node: a sandboxed node ({@link AgentNode}: own netns, ovsdb-server and
 * ovs-vswitchd with the userspace datapath, the API stand-in and the real agent with
 * {@code serviceProxy: ovs}) with endpoint pods running a one-line TCP server and a client pod.
 * <ol>
 *   <li>Burst: N Services (TCP, one port, a named targetPort) and their EndpointSlices (E
 *       ready endpoints each: the E endpoint pods, the same pods for every Service) are written to the
 *       API back to back while the agent runs; timed from the first write until the last-written
 *       Service answers a real connection from the client pod; flow and group totals are sampled
 *       meanwhile and checked at the end (N groups; the base pipeline's flows + N × the flows of one
 *       Service).</li>
 *   <li>Endpoint changes: C times, one Service's slice loses one endpoint (a different Service each
 *       time, spread over all N), timed from the write until its group's buckets in OVS no longer hold
 *       that endpoint; then one connection must reach another endpoint.</li>
 *   <li>Restart from scratch: the agent stopped, ovs-vswitchd restarted (no flows, no groups), the agent
 *       started with every Service in the API; timed from its start until the last Service answers.</li>
 *   <li>The agent's heap after a full GC ({@code jcmd GC.run}, {@code jstat -gc}) and resident set
 *       ({@code VmRSS}, peak {@code VmHWM}), after each phase.</li>
 * </ol>
 * Each programming phase is watched by a {@link ProgressObserver} (totals, CPU, thread dumps of the
 * agent); {@link ServiceScaleReport} writes the section of docs/benchmarks.md.
 */
public final class ServiceScaleBench {
    static final String NAME = "service-scale";
    private static final String POD_CIDR = "10.97.0.0/24";
    private static final List<String> PROFILED_THREADS = List.of("trellis-services", "main");
    private static final String API_STAND_IN_CLASS = "io.trellis.e2e.ApiStandIn ";
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(300);
    private static final Duration CONVERGE_TIMEOUT = Duration.ofMinutes(40);
    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration OFCTL_TIMEOUT = Duration.ofSeconds(120);

    record Options(int services, int endpoints, int changes, int writers, boolean burst, Path report) {
        Options {
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

        static Options parse(String[] args) {
            int services = 10_000;
            int endpoints = 10;
            int changes = 100;
            int writers = 4;
            boolean burst = false;
            Path report = null;
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
                    default -> throw new IllegalArgumentException("unknown option '" + args[i]
                            + "' (options: --services N, --endpoints E, --changes C, --writers W, "
                            + "--burst, --report FILE)");
                }
                i++;
            }
            return new Options(services, endpoints, changes, writers, burst, report);
        }

        private static int number(String option, String value) {
            try {
                return Integer.parseInt(String.valueOf(value));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " takes a whole number, got '" + value + "'");
            }
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
        System.out.println(result.summaryLine());
    }

    static ServiceScaleReport run(Options options, TrellisHome home) {
        String loadBefore = MachineLoad.loadAverage();
        Teardown teardown = new Teardown();
        Thread hook = new Thread(teardown::close, "service-scale-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (teardown) {
            AgentNode node = teardown.register(AgentNode.start(home,
                    new AgentNode.Options(POD_CIDR, "192.168.97.2", 1450).withServiceProxy()));
            return new Run(options, node, teardown).measure(loadBefore);
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
        private final ApiStandInProcess api;
        private final Path mgmt;
        private final long apiPid;
        private final List<AttachedPod> endpoints = new ArrayList<>();
        private final List<String> endpointIps = new ArrayList<>();
        private final PodClient client;
        private OvsCounts baseline;
        private long flowsPerService;
        /** The agent's last start (restart phase): a failed one ends the waits for answers. */
        private CompletableFuture<?> agentStart = CompletableFuture.completedFuture(null);

        Run(Options options, AgentNode node, Teardown teardown) {
            this.options = options;
            this.node = node;
            this.api = node.api();
            this.mgmt = node.sandbox().bridgeMgmtSocket(AgentNode.BRIDGE);
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

        ServiceScaleReport measure(String loadBefore) {
            baseline = counts();
            System.out.printf(Locale.ROOT, "node up: %d endpoint pods, base pipeline %d flows, %d groups%n",
                    endpoints.size(), baseline.flows(), baseline.groups());
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
            LatencySample changes = new LatencySample("slice write to group updated (ms)", changeTimes);
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
            return new ServiceScaleReport(options, loadBefore, MachineLoad.loadAverage(), baseline, flowsPerService,
                    written, first, restart, changes, changeWrites, memory, histogram, warnings);
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
            ProgressObserver observer = new ProgressObserver(t0, this::counts, () -> agentPid, vswitchdPid(), apiPid);
            CompletableFuture<Double> firstAnswer = CompletableFuture.supplyAsync(() -> awaitAnswer(first, t0));
            double written;
            try {
                written = awaitWriter(writer, t0);
            } finally {
                HostCommand.kill(writer);
            }
            System.out.printf(Locale.ROOT, "%.1f s: all %d Services and slices written%n", written, options.services());
            double lastAnswer = awaitAnswer(last, t0);
            System.out.printf(Locale.ROOT, "%.1f s: the last Service (%s) answers%n", lastAnswer, last.frontend());
            double firstAnswered = firstAnswer.join();
            learnFlowsPerService();
            double[] complete = awaitTotals(t0);
            List<ProgressObserver.Sample> timeline = observer.stop();
            ServiceScaleReport.Phase phase = new ServiceScaleReport.Phase("all written", written, firstAnswered, lastAnswer,
                    earliest(timeline, complete[0], true), earliest(timeline, complete[1], false), timeline,
                    ProgressObserver.profile(agentLogSince(logOffset), PROFILED_THREADS));
            System.out.printf(Locale.ROOT, "burst: groups complete at %.1f s, flows at %.1f s%n", phase.groupsComplete(),
                    phase.flowsComplete());
            return phase;
        }

        /** One endpoint leaves one Service's slice at a time; each timed until the Service's group shows it. */
        private void changes(List<Duration> changeTimes, List<Duration> writeTimes) {
            Map<String, Long> groups = OvsCounts.frontendGroups(ofctl("dump-flows"));
            for (int c = 0; c < options.changes(); c++) {
                ScaleService s = options.changed(c);
                Long group = groups.get(s.frontend());
                if (group == null) {
                    throw new IllegalStateException("no SERVICE_LB flow to a group for " + s.frontend());
                }
                int removed = c % endpoints.size();
                List<String> remaining = new ArrayList<>(endpointIps);
                String gone = remaining.remove(removed) + ":" + ScaleService.TARGET_PORT;
                long start = System.nanoTime();
                api.putSlice(ScaleService.NAMESPACE, s.sliceName(), s.name(), ScaleService.PORT_NAME,
                        ScaleService.TARGET_PORT, remaining);
                writeTimes.add(Duration.ofNanos(System.nanoTime() - start));
                while (true) {
                    List<String> buckets = OvsCounts.bucketTargets(ofctl("dump-groups", Long.toString(group)));
                    if (buckets.size() == remaining.size() && !buckets.contains(gone)) {
                        break;
                    }
                    if (System.nanoTime() - start > CHANGE_TIMEOUT.toNanos()) {
                        throw new IllegalStateException("group " + group + " of " + s.frontend() + " still has "
                                + buckets.size() + " buckets " + buckets.subList(0, Math.min(buckets.size(), 12)) + " "
                                + CHANGE_TIMEOUT + " after " + gone + " left its slice");
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

        /** The agent stopped, ovs-vswitchd restarted empty, the agent started: it programs every Service anew. */
        private ServiceScaleReport.Phase restart() {
            ScaleService first = new ScaleService(0);
            ScaleService last = new ScaleService(options.services() - 1);
            node.agent().stop(Duration.ofSeconds(30));
            node.sandbox().killVswitchd();
            node.sandbox().startVswitchd();
            awaitBridge();
            OvsCounts empty = counts();
            if (empty.groups() != 0) {
                throw new IllegalStateException("the restarted ovs-vswitchd holds " + empty);
            }
            long t0 = System.nanoTime();
            // The new agent's pid once its JVM has logged (SIGQUIT kills a JVM not started yet, or its launcher).
            CompletableFuture<Long> readyAt = CompletableFuture.supplyAsync(() -> {
                node.startAgent();   // returns once the agent logged that it is ready (polled every 50 ms)
                return System.nanoTime();
            });
            agentStart = readyAt;
            ProgressObserver observer = new ProgressObserver(t0, this::counts, this::loggingAgentPid, vswitchdPid(),
                    apiPid);
            CompletableFuture<Double> firstAnswer = CompletableFuture.supplyAsync(() -> awaitAnswer(first, t0));
            double lastAnswer = awaitAnswer(last, t0);
            System.out.printf(Locale.ROOT, "restart: %.1f s: the last Service answers%n", lastAnswer);
            double ready = (readyAt.join() - t0) / 1e9;
            double firstAnswered = firstAnswer.join();
            learnFlowsPerService();
            double[] complete = awaitTotals(t0);
            List<ProgressObserver.Sample> timeline = observer.stop();
            String log;
            try {
                log = Files.readString(node.agent().log());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ServiceScaleReport.Phase phase = new ServiceScaleReport.Phase("agent ready", ready, firstAnswered,
                    lastAnswer, earliest(timeline, complete[0], true), earliest(timeline, complete[1], false), timeline,
                    ProgressObserver.profile(log, PROFILED_THREADS));
            System.out.printf(Locale.ROOT, "restart: ready at %.1f s, groups complete at %.1f s, flows at %.1f s%n",
                    phase.started(), phase.groupsComplete(), phase.flowsComplete());
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

        /** Flows per Service, from the switch: those matching the first and the last cluster IP (once). */
        private void learnFlowsPerService() {
            if (flowsPerService > 0) {
                return;
            }
            String flows = ofctl("dump-flows");
            long perFirst = OvsCounts.flowsTo(flows, new ScaleService(0).clusterIp());
            long perLast = OvsCounts.flowsTo(flows, new ScaleService(options.services() - 1).clusterIp());
            if (perFirst < 1 || perFirst != perLast) {
                throw new IllegalStateException("flows to the first Service's cluster IP: " + perFirst
                        + ", to the last one's: " + perLast);
            }
            flowsPerService = perFirst;
        }

        /** Polls the totals until OVS holds every Service's group and flows; returns when each was first seen. */
        private double[] awaitTotals(long t0) {
            long expectedGroups = baseline.groups() + options.services();
            long expectedFlows = baseline.flows() + options.services() * flowsPerService;
            double groupsComplete = -1;
            double flowsComplete = -1;
            while (true) {
                OvsCounts now = counts();
                double at = (System.nanoTime() - t0) / 1e9;
                if (groupsComplete < 0 && now.groups() == expectedGroups) {
                    groupsComplete = at;
                }
                if (flowsComplete < 0 && now.flows() == expectedFlows) {
                    flowsComplete = at;
                }
                if (groupsComplete >= 0 && flowsComplete >= 0) {
                    return new double[] {groupsComplete, flowsComplete};
                }
                if (System.nanoTime() - t0 > CONVERGE_TIMEOUT.toNanos()) {
                    throw new IllegalStateException("OVS holds " + now + ", expected " + expectedGroups + " groups and "
                            + expectedFlows + " flows, " + CONVERGE_TIMEOUT + " after the phase began");
                }
                sleep(200);
            }
        }

        /** {@code polled}, or the first sample holding the totals when that one came earlier. */
        private double earliest(List<ProgressObserver.Sample> timeline, double polled, boolean groups) {
            long expected = groups ? baseline.groups() + options.services()
                    : baseline.flows() + options.services() * flowsPerService;
            return timeline.stream().filter(s -> (groups ? s.groups() : s.flows()) == expected)
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

        private void awaitBridge() {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.exists(mgmt)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(mgmt + " did not come back after the ovs-vswitchd restart");
                }
                sleep(100);
            }
        }

        private OvsCounts counts() {
            return new OvsCounts(OvsCounts.flowCount(ofctl("dump-aggregate")), OvsCounts.groupCount(ofctl("dump-groups")));
        }

        /** {@code ovs-ofctl -O OpenFlow15 COMMAND unix:<mgmt> ARGS}, from this namespace (the socket is a file). */
        private String ofctl(String command, String... args) {
            List<String> argv = new ArrayList<>(List.of("ovs-ofctl", "-O", "OpenFlow15", "--no-names", command,
                    "unix:" + mgmt));
            argv.addAll(List.of(args));
            return HostCommand.capture(argv, OFCTL_TIMEOUT).check().stdout();
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

        private long vswitchdPid() {
            Path file = node.sandbox().runDir().resolve("vswitchd.pid");
            try {
                return Long.parseLong(Files.readString(file).strip());
            } catch (IOException | NumberFormatException e) {
                throw new IllegalStateException("cannot read pid file " + file + ": " + e.getMessage(), e);
            }
        }

        private long syncWarnings() {
            return agentLogSince(0).lines().filter(l -> l.contains("WARN") && l.contains("ServiceSync")).count();
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
