package io.trellis.bench;

import static io.trellis.bench.Pause.sleep;
import static io.trellis.bench.BenchArgs.path;
import static io.trellis.bench.BenchArgs.number;
import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.trellis.e2e.TrellisHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.Predicate;

/**
 * The latency from a pod label change to the updated flows on its node, end to end on a real one-node
 * {@code ./trellis lab} (API stand-in, controller computing policies, TLS policy stream, agent, OVS) holding a
 * cluster of {@code --pods} pods ({@link PhantomCluster}: a few real pods on node-1, the rest phantom pods of
 * nodes that do not exist, written straight to the API stand-in).
 * <ol>
 *   <li>Fill: the phantom namespaces, their policies and pods are written by {@code --writers} threads; timed
 *       until node-1's ingress policy table holds a peer flow for every phantom address (policy t's address
 *       group).</li>
 *   <li>Changes, alternating, {@code --changes} of each: label {@code bench-target} set on / removed from pod a
 *       (policy t's targets: a's default-deny flow appears / disappears), and label {@code bench-peer} set on /
 *       removed from pod b (policy p's peers: the ingress flow matching b's address appears / disappears). Each
 *       timed from just before the API write (one JSON patch) until {@link FlowMonitor} reads the flow update
 *       from node-1's bridge.</li>
 *   <li>End state: both labels set; the flows checked in a dump and with real connections between the pods.</li>
 * </ol>
 * The agent's and the controller's heap after GC and RSS after the fill and after the changes; CPU of each
 * process during the changes; SIGQUIT thread dumps of both every {@value #DUMP_PERIOD_MS} ms during the fill
 * and the changes, ranked by where their policy threads were.
 */
public final class PolicyLabelLatencyBench {
    static final String NAME = "policy-label-latency";
    static final long DUMP_PERIOD_MS = 1000;
    static final long FILL_SAMPLE_PERIOD_MS = 10_000;
    static final String AGENT_THREAD = "trellis-policy-enforcer";
    static final String CONTROLLER_THREAD = "network-policy-computation";
    static final Path DEFAULT_LAB_DIR = Path.of("/tmp/trellis-bench-policy-lab");
    private static final Duration FULL_STATE_TIMEOUT = Duration.ofMinutes(40);
    private static final Duration CHANGE_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration OFCTL_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final int SERVER_PORT = 80;

    /**
     * @param policiesFirst write policies t and p before the phantom pods (node-1 then receives t's address group
     *                      growing pod by pod) instead of after them (one address group of every phantom)
     */
    record Options(int pods, int changes, int writers, boolean policiesFirst, Path labDir, Path report) {
        Options {
            new PhantomCluster(pods);   // validates --pods
            if (changes < 1 || changes > 1000) {
                throw new IllegalArgumentException("--changes takes 1 to 1000, got " + changes);
            }
            if (writers < 1 || writers > 32) {
                throw new IllegalArgumentException("--writers takes 1 to 32, got " + writers);
            }
            requireNonNull(labDir, "labDir");
        }

        static Options parse(String[] args) {
            int pods = 10_000;
            int changes = 100;
            int writers = 4;
            Path labDir = DEFAULT_LAB_DIR;
            Path report = null;
            boolean policiesFirst = false;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (args[i].equals("--policies-first")) {
                    policiesFirst = true;
                    continue;
                }
                switch (args[i]) {
                    case "--pods" -> pods = number("--pods", value);
                    case "--changes" -> changes = number("--changes", value);
                    case "--writers" -> writers = number("--writers", value);
                    case "--lab-dir" -> labDir = path("--lab-dir", value);
                    case "--report" -> report = path("--report", value);
                    default -> throw new IllegalArgumentException("unknown option '" + args[i]
                            + "' (options: --pods N, --changes C, --writers W, --policies-first, --lab-dir DIR, "
                            + "--report FILE)");
                }
                i++;
            }
            return new Options(pods, changes, writers, policiesFirst, labDir, report);
        }
    }

    public static void main(String[] args) {
        Options options = Options.parse(args);
        PolicyLabelLatencyReport result = run(options, TrellisHome.locate().root());
        if (options.report() != null) {
            new BenchReport(options.report()).writeSection(NAME, result.markdown());
            System.out.println("report: " + options.report());
        }
        System.out.println(result.summaryLine());
    }

    static PolicyLabelLatencyReport run(Options options, Path home) {
        String loadBefore = MachineLoad.loadAverage();
        Teardown teardown = new Teardown();
        Thread hook = new Thread(() -> {
            // Interrupted (Ctrl-C, SIGTERM): stop our ovs-ofctl and lab commands, then take the lab down.
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroy);
            teardown.close();
        }, "policy-label-latency-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (teardown) {
            PolicyLab lab = teardown.register(new PolicyLab(home, options.labDir()));
            lab.up();
            return new Run(options, lab, teardown).measure(loadBefore);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or has run: it tears down
            }
        }
    }

    /** One run on a lab that is up. */
    private static final class Run {
        private final Options options;
        private final PhantomCluster cluster;
        private final PolicyLab lab;
        private final Teardown teardown;
        private final KubernetesClient client;
        private final PolicyLab.Pids pids;
        private final Map<String, String> ips = new LinkedHashMap<>();
        private final AtomicInteger podsWritten = new AtomicInteger();
        private FlowMonitor monitor;
        private int ingressTable = -1;

        Run(Options options, PolicyLab lab, Teardown teardown) {
            this.options = options;
            this.cluster = new PhantomCluster(options.pods());
            this.lab = lab;
            this.teardown = teardown;
            lab.apply("policy-bench-pods.yaml", PhantomCluster.realPodsManifest());
            this.client = teardown.register(lab.client());
            this.pids = lab.pids();
            for (String pod : PhantomCluster.REAL_PODS) {
                Pod p = client.pods().inNamespace(PhantomCluster.NAMESPACE).withName(pod).get();
                String ip = p == null || p.getStatus() == null ? null : p.getStatus().getPodIP();
                if (ip == null || !PhantomCluster.REAL_NODE.equals(p.getSpec().getNodeName())) {
                    throw new IllegalStateException("pod " + PhantomCluster.NAMESPACE + "/" + pod
                            + " is not running on " + PhantomCluster.REAL_NODE + " with an address: " + p);
                }
                ips.put(pod, ip);
            }
            System.out.println("real pods on " + PhantomCluster.REAL_NODE + ": " + ips);
        }

        PolicyLabelLatencyReport measure(String loadBefore) {
            monitor = teardown.register(new FlowMonitor(lab.bridgeMgmt()));
            List<FlowEvent> initial = monitor.awaitInitial(Duration.ofSeconds(60));
            System.out.printf(Locale.ROOT, "node-1: %d flows before any policy%n", initial.size());
            String a = ips.get(PhantomCluster.APPLIED_TO_POD);
            String b = ips.get(PhantomCluster.PEER_POD);

            // ---------------------------------------------------------------- fill
            long agentLogStart = size(lab.agentLog());
            long controllerLogStart = size(lab.controllerLog());
            ThreadDumper fillDumps = new ThreadDumper(List.of(pids.agent(), pids.controller()));
            long t0 = System.nanoTime();
            // All tables: the ingress policy table is known once policy t isolates the anchor pod.
            FillSampler sampler = new FillSampler(t0, cpuPids(), () -> phantomPeerFlows(ofctl("dump-flows")),
                    podsWritten::get);
            if (options.policiesFirst()) {
                writePolicies();
            }
            parallel(PhantomCluster.NAMESPACES, n -> client.namespaces().resource(PhantomCluster.phantomNamespace(n))
                    .create(), null);
            parallel(PhantomCluster.NAMESPACES, n -> client.network().v1().networkPolicies()
                    .inNamespace(PhantomCluster.namespace(n)).resource(PhantomCluster.namespacePolicy(n)).create(), null);
            double namespaceWrites = seconds(t0);
            System.out.printf(Locale.ROOT, "%.1f s: %d namespaces and %d policies written%n", namespaceWrites,
                    PhantomCluster.NAMESPACES, PhantomCluster.NAMESPACES);
            long tPods = System.nanoTime();
            parallel(cluster.phantoms(), i -> {
                client.pods().inNamespace(cluster.podNamespace(i)).resource(cluster.phantomPod(i)).create();
                podsWritten.incrementAndGet();
            }, tPods);
            double podWrites = seconds(tPods);
            System.out.printf(Locale.ROOT, "%.1f s: %d phantom pods written (%.0f pods/s)%n", podWrites,
                    cluster.phantoms(), cluster.phantoms() / podWrites);
            long fullStateFrom = tPods;
            if (!options.policiesFirst()) {
                fullStateFrom = writePolicies();
            }
            double fullState = awaitPhantomFlows(fullStateFrom);
            List<PolicyLabelLatencyReport.FillSample> fillTimeline = sampler.stop();
            fillDumps.stop();
            Map<String, ThreadSamples> fillProfile = profile(agentLogStart, controllerLogStart);
            System.out.printf(Locale.ROOT, "%.1f s after %s: node-1 holds a flow for each of the %d phantom addresses%n",
                    fullState, options.policiesFirst() ? "the first pod write" : "the write of policies t and p",
                    cluster.phantoms());
            String table = ofctl("dump-flows", "table=" + ingressTable);
            if (table.lines().map(FlowLine::new).anyMatch(f -> f.has("nw_dst=" + a) || f.has("nw_src=" + b))) {
                throw new IllegalStateException("before any label change node-1 already has a flow for a (" + a
                        + ") or from b (" + b + "):\n" + table);
            }
            long flowsAfterFill = flowCount();
            List<PolicyLabelLatencyReport.Memory> memory = new ArrayList<>();
            memory.add(memory("agent", "after the fill", pids.agent()));
            memory.add(memory("controller", "after the fill", pids.controller()));

            // ---------------------------------------------------------------- changes
            long fillPauses = monitor.pauses();
            monitor.drain();
            Map<String, Long> cpuPids = cpuPids();
            Map<String, Double> cpuBefore = cpu(cpuPids);
            agentLogStart = size(lab.agentLog());
            controllerLogStart = size(lab.controllerLog());
            ThreadDumper changeDumps = new ThreadDumper(List.of(pids.agent(), pids.controller()));
            List<Duration> appliedTo = new ArrayList<>();
            List<Duration> appliedToWrites = new ArrayList<>();
            List<Duration> peer = new ArrayList<>();
            List<Duration> peerWrites = new ArrayList<>();
            long tChanges = System.nanoTime();
            for (int k = 0; k < options.changes(); k++) {
                boolean on = k % 2 == 0;
                change(PhantomCluster.APPLIED_TO_POD, PhantomCluster.TARGET_LABEL, on,
                        e -> (on ? e.added() : e.deleted()) && e.isolates(a), appliedTo, appliedToWrites,
                        (on ? "pod a isolated" : "pod a no longer isolated"));
                change(PhantomCluster.PEER_POD, PhantomCluster.PEER_LABEL, on,
                        e -> (on ? e.added() : e.deleted()) && e.table() == ingressTable && e.fromSource(b), peer,
                        peerWrites, (on ? "a flow from pod b" : "no flow from pod b any more"));
                if ((k + 1) % 10 == 0) {
                    System.out.printf(Locale.ROOT, "%d/%d changes of each kind: last applied-to %.0f ms, peer %.0f ms%n",
                            k + 1, options.changes(), millis(appliedTo.get(k)), millis(peer.get(k)));
                }
            }
            double changesSeconds = seconds(tChanges);
            changeDumps.stop();
            Map<String, Double> cpuAfter = cpu(cpuPids);
            Map<String, Double> cpuDuringChanges = new LinkedHashMap<>();
            cpuBefore.forEach((name, before) -> cpuDuringChanges.put(name, cpuAfter.get(name) - before));
            Map<String, ThreadSamples> changeProfile = profile(agentLogStart, controllerLogStart);
            memory.add(memory("agent", "after the changes", pids.agent()));
            memory.add(memory("controller", "after the changes", pids.controller()));

            // ---------------------------------------------------------------- end state
            List<String> endChecks = endState(a, b);
            long flowsAtEnd = flowCount();
            return new PolicyLabelLatencyReport(options, cluster, loadBefore, MachineLoad.loadAverage(),
                    namespaceWrites, podWrites, fullState, cluster.phantoms(), flowsAfterFill, flowsAtEnd,
                    fillTimeline,
                    new LatencySample("applied-to: label write to a's flows (ms)", appliedTo),
                    new LatencySample("of which the API write (ms)", appliedToWrites),
                    new LatencySample("peer: label write to b's flow (ms)", peer),
                    new LatencySample("of which the API write (ms)", peerWrites), changesSeconds, cpuDuringChanges,
                    memory, fillProfile, changeProfile, endChecks, fillPauses, monitor.pauses() - fillPauses);
        }

        /**
         * Writes policies t and p (through the API, as the lab's apply would) and waits until policy t isolates
         * the anchor pod on node-1, which tells the ingress policy table; the write's {@link System#nanoTime()}.
         */
        private long writePolicies() {
            long start = System.nanoTime();
            for (var policy : List.of(PhantomCluster.policyT(), PhantomCluster.policyP())) {
                client.network().v1().networkPolicies().inNamespace(PhantomCluster.NAMESPACE).resource(policy).create();
            }
            String anchor = ips.get(PhantomCluster.ANCHOR_POD);
            ingressTable = monitor.await(e -> e.added() && e.isolates(anchor), FULL_STATE_TIMEOUT,
                    "the default-deny flow of pod " + PhantomCluster.ANCHOR_POD + " (" + anchor + ")").table();
            System.out.printf(Locale.ROOT, "policies t and p written; %.1f s later node-1 isolates pod %s (ingress policy"
                    + " table %d)%n", seconds(start), PhantomCluster.ANCHOR_POD, ingressTable);
            return start;
        }

        /** One label change, timed from just before its API write until the monitor shows {@code shows}. */
        private void change(String pod, String label, boolean on, Predicate<FlowEvent> shows, List<Duration> latencies,
                            List<Duration> writes, String what) {
            monitor.drain();
            long start = System.nanoTime();
            patchLabel(pod, label, on);
            writes.add(Duration.ofNanos(System.nanoTime() - start));
            FlowEvent seen = monitor.await(shows, CHANGE_TIMEOUT, what + " after label " + label + (on ? " set" : " removed")
                    + " on pod " + pod);
            latencies.add(Duration.ofNanos(seen.nanos() - start));
        }

        /** One JSON patch (RFC 6902): add or remove the label; one request, one watch event. */
        private void patchLabel(String pod, String label, boolean on) {
            String patch = on ? "[{\"op\":\"add\",\"path\":\"/metadata/labels/" + label + "\",\"value\":\""
                    + PhantomCluster.ON + "\"}]" : "[{\"op\":\"remove\",\"path\":\"/metadata/labels/" + label + "\"}]";
            client.pods().inNamespace(PhantomCluster.NAMESPACE).withName(pod).patch(PatchContext.of(PatchType.JSON),
                    patch);
        }

        /**
         * Sets both labels, then checks node-1's flows (a isolated, a flow from b, one per phantom address) and
         * real connections: x (no label any policy selects) cannot reach a (targeted, x is no client) or s
         * (only bench-peer pods may), reaches b (not isolated); b (a bench-peer pod) reaches s.
         */
        private List<String> endState(String a, String b) {
            String x = ips.get(PhantomCluster.OUTSIDER_POD);
            String s = ips.get(PhantomCluster.SERVER_POD);
            List<Duration> ignored = new ArrayList<>();
            change(PhantomCluster.APPLIED_TO_POD, PhantomCluster.TARGET_LABEL, true, e -> e.added() && e.isolates(a),
                    ignored, new ArrayList<>(), "pod a isolated");
            change(PhantomCluster.PEER_POD, PhantomCluster.PEER_LABEL, true,
                    e -> e.added() && e.table() == ingressTable && e.fromSource(b), ignored, new ArrayList<>(),
                    "a flow from pod b");
            List<String> checks = new ArrayList<>();
            String table = ofctl("dump-flows", "table=" + ingressTable);
            List<FlowLine> flows = table.lines().map(FlowLine::new).toList();
            expect(flows.stream().anyMatch(f -> f.has("priority=100") && f.has("nw_dst=" + a) && f.drops()),
                    "node-1 drops what no rule allows to a (" + a + "): priority=100,ip,nw_dst=" + a + " actions=drop",
                    checks, table);
            expect(flows.stream().anyMatch(f -> f.has("nw_src=" + b) && f.conjunction()),
                    "node-1 has the conjunction flow of b's address (" + b + ") as a peer of policy p", checks, table);
            long phantomFlows = phantomPeerFlows(table);
            expect(phantomFlows == cluster.phantoms(), "node-1 has " + phantomFlows + " peer flows from phantom "
                    + "addresses, one per phantom pod (" + cluster.phantoms() + ")", checks, "");
            try (PodClient fromX = new PodClient(lab.netnsOf(PhantomCluster.NAMESPACE, PhantomCluster.OUTSIDER_POD));
                 PodClient fromB = new PodClient(lab.netnsOf(PhantomCluster.NAMESPACE, PhantomCluster.PEER_POD))) {
                String xToA = fromX.ask(a, SERVER_PORT, CONNECT_TIMEOUT);
                expect(!PodClient.answered(xToA), "x cannot connect to a:80 (" + xToA + ")", checks, "");
                String xToS = fromX.ask(s, SERVER_PORT, CONNECT_TIMEOUT);
                expect(!PodClient.answered(xToS), "x cannot connect to s:80 (" + xToS + ")", checks, "");
                String xToB = fromX.ask(b, SERVER_PORT, CONNECT_TIMEOUT);
                expect(xToB.equals(PhantomCluster.NAMESPACE + "/" + PhantomCluster.PEER_POD),
                        "x connects to b:80 (b answered '" + xToB + "')", checks, "");
                String bToS = fromB.ask(s, SERVER_PORT, CONNECT_TIMEOUT);
                expect(bToS.equals(PhantomCluster.NAMESPACE + "/" + PhantomCluster.SERVER_POD),
                        "b (bench-peer=on) connects to s:80 (s answered '" + bToS + "')", checks, "");
            }
            checks.forEach(c -> System.out.println("end state: " + c));
            return checks;
        }

        private void expect(boolean ok, String what, List<String> checks, String evidence) {
            if (!ok) {
                throw new IllegalStateException("end state wrong: not true that " + what
                        + (evidence.isEmpty() ? "" : "\n" + evidence.lines().limit(40).reduce("", (x, y) -> x + y + "\n")));
            }
            checks.add(what);
        }

        /** Seconds after {@code t0} at which node-1's ingress table first held a flow per phantom address. */
        private double awaitPhantomFlows(long t0) {
            long last = -1;
            long lastPrint = System.nanoTime();
            while (true) {
                long count = phantomPeerFlows(ofctl("dump-flows", "table=" + ingressTable));
                double at = seconds(t0);
                if (count == cluster.phantoms()) {
                    return at;
                }
                if (count != last && System.nanoTime() - lastPrint > 10_000_000_000L) {
                    System.out.printf(Locale.ROOT, "%.0f s: node-1 has flows for %d of %d phantom addresses%n", at,
                            count, cluster.phantoms());
                    lastPrint = System.nanoTime();
                }
                last = count;
                if (System.nanoTime() - t0 > FULL_STATE_TIMEOUT.toNanos()) {
                    throw new IllegalStateException("node-1 has flows for " + count + " of " + cluster.phantoms()
                            + " phantom addresses " + FULL_STATE_TIMEOUT + " after the first pod write");
                }
                sleep(500);
            }
        }

        private static long phantomPeerFlows(String dumpFlows) {
            return dumpFlows.lines().map(FlowLine::new).filter(f -> f.sourceIp().map(PhantomCluster::isPhantomIp)
                    .orElse(false)).count();
        }

        /** Runs {@code write(i)} for i in 0..count-1 on the writer threads; prints progress every 1,000. */
        private void parallel(int count, IntConsumer write, Long progressSince) {
            AtomicInteger next = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(options.writers());
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < options.writers(); t++) {
                    workers.add(pool.submit(() -> {
                        for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                            write.accept(i);
                            int n = done.incrementAndGet();
                            if (progressSince != null && n % 1000 == 0) {
                                System.out.printf(Locale.ROOT, "%.1f s: %d pods written%n", seconds(progressSince), n);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> w : workers) {
                    w.get();
                }
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a write failed after " + done.get() + " of " + count + ": "
                        + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while writing", e);
            } finally {
                pool.shutdownNow();
            }
        }

        private Map<String, Long> cpuPids() {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("agent", pids.agent());
            m.put("controller", pids.controller());
            m.put("API stand-in", pids.apiServer());
            m.put("ovs-vswitchd", pids.vswitchd());
            m.put("lab daemon (kubelet)", pids.daemon());
            return m;
        }

        private static Map<String, Double> cpu(Map<String, Long> pids) {
            Map<String, Double> m = new LinkedHashMap<>();
            pids.forEach((name, pid) -> m.put(name, ProcessCpu.seconds(pid)));
            return m;
        }

        private Map<String, ThreadSamples> profile(long agentLogStart, long controllerLogStart) {
            Map<String, ThreadSamples> m = new LinkedHashMap<>();
            m.put("agent `" + AGENT_THREAD + "`", ProgressObserver.profile(since(lab.agentLog(), agentLogStart),
                    List.of(AGENT_THREAD)).get(AGENT_THREAD));
            m.put("controller `" + CONTROLLER_THREAD + "`", ProgressObserver.profile(since(lab.controllerLog(),
                    controllerLogStart), List.of(CONTROLLER_THREAD)).get(CONTROLLER_THREAD));
            return m;
        }

        private PolicyLabelLatencyReport.Memory memory(String process, String when, long pid) {
            String p = Long.toString(pid);
            HostCommand.capture(List.of("jcmd", p, "GC.run"), Duration.ofSeconds(60)).check();
            String jstat = HostCommand.capture(List.of("jstat", "-gc", p), Duration.ofSeconds(60)).check().stdout();
            try {
                JvmMemory m = JvmMemory.of(jstat, Files.readString(Path.of("/proc", p, "status")));
                System.out.println(process + " " + when + ": heap after GC " + JvmMemory.mib(m.heapUsedKib())
                        + " MiB, RSS " + JvmMemory.mib(m.rssKib()) + " MiB");
                return new PolicyLabelLatencyReport.Memory(process, when, m);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read /proc/" + p + "/status", e);
            }
        }

        private long flowCount() {
            return OvsCounts.flowCount(ofctl("dump-aggregate"));
        }

        /** {@code ovs-ofctl -O OpenFlow15 --no-names COMMAND unix:<mgmt> ARGS}. */
        private String ofctl(String command, String... args) {
            List<String> argv = new ArrayList<>(List.of("ovs-ofctl", "-O", "OpenFlow15", "--no-names", command,
                    "unix:" + lab.bridgeMgmt()));
            argv.addAll(List.of(args));
            return HostCommand.capture(argv, OFCTL_TIMEOUT).check().stdout();
        }
    }

    /** One line of {@code ovs-ofctl dump-flows}, asked about its match and actions. */
    record FlowLine(String line) {
        private static final java.util.regex.Pattern NW_SRC =
                java.util.regex.Pattern.compile("[ ,]nw_src=(\\d+\\.\\d+\\.\\d+\\.\\d+)[ ,]");

        boolean has(String field) {
            return line.contains("," + field + ",") || line.contains("," + field + " ") || line.contains(" " + field + ",")
                    || line.contains(" " + field + " ");
        }

        boolean drops() {
            return line.strip().endsWith("actions=drop");
        }

        boolean conjunction() {
            return line.contains("actions=conjunction(");
        }

        /** The /32 source address the flow matches, if it matches one. */
        java.util.Optional<String> sourceIp() {
            java.util.regex.Matcher m = NW_SRC.matcher(line);
            return m.find() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
        }
    }

    /**
     * Every {@value #FILL_SAMPLE_PERIOD_MS} ms during the fill: pods written, phantom peer flows on node-1 and the
     * CPU seconds each process used since the fill began (where the time goes: the API stand-in taking writes,
     * the controller, or the agent catching up).
     */
    private static final class FillSampler {
        private final List<PolicyLabelLatencyReport.FillSample> samples = new ArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;

        private final long t0;
        private final Map<String, Long> pids;
        private final Map<String, Double> base;
        private final java.util.function.LongSupplier flows;
        private final java.util.function.IntSupplier written;

        FillSampler(long t0, Map<String, Long> pids, java.util.function.LongSupplier flows,
                    java.util.function.IntSupplier written) {
            this.t0 = t0;
            this.pids = pids;
            this.base = Run.cpu(pids);
            this.flows = flows;
            this.written = written;
            thread = new Thread(() -> {
                while (running) {
                    long next = System.nanoTime() + FILL_SAMPLE_PERIOD_MS * 1_000_000L;
                    sample();
                    while (running && System.nanoTime() < next) {
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "policy-label-latency-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private void sample() {
            try {
                int w = written.getAsInt();
                long f = flows.getAsLong();
                Map<String, Double> used = new LinkedHashMap<>();
                Run.cpu(pids).forEach((name, cpu) -> used.put(name, cpu - base.get(name)));
                synchronized (samples) {
                    samples.add(new PolicyLabelLatencyReport.FillSample(seconds(t0), w, f, used));
                }
            } catch (RuntimeException e) {
                System.err.println("warning: fill sample failed: " + e.getMessage());
            }
        }

        /** Stops sampling after one last sample (the fill's end state). */
        List<PolicyLabelLatencyReport.FillSample> stop() {
            running = false;
            try {
                thread.join(Duration.ofMinutes(2).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sample();
            synchronized (samples) {
                return List.copyOf(samples);
            }
        }
    }

    /** Every {@value #DUMP_PERIOD_MS} ms a SIGQUIT to each JVM: each prints a thread dump to its log. */
    private static final class ThreadDumper {
        private final Thread thread;
        private volatile boolean running = true;

        ThreadDumper(List<Long> pids) {
            thread = new Thread(() -> {
                while (running) {
                    for (long pid : pids) {
                        HostCommand.capture(List.of("kill", "-QUIT", Long.toString(pid)), Duration.ofSeconds(10));
                    }
                    try {
                        Thread.sleep(DUMP_PERIOD_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "policy-label-latency-dumper");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            running = false;
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String since(Path file, long offset) {
        try {
            String log = Files.readString(file);
            return log.substring((int) Math.min(offset, log.length()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double millis(Duration d) {
        return d.toNanos() / 1e6;
    }
}
