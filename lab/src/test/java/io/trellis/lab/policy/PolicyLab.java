package io.trellis.lab.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.lab.Lab;
import io.trellis.lab.LabBackend;
import io.trellis.lab.LabPaths;
import io.trellis.lab.LabState;
import io.trellis.lab.Shell;
import io.trellis.lab.kubelet.PodSandbox;
import io.trellis.lab.workload.ProbeClient;
import io.trellis.lab.workload.ProbeClient.Protocol;
import io.trellis.lab.workload.WorkloadServer;
import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The conformance suite's harness around one lab: brings it up with samples/netpol-xyz.yaml, applies and
 * removes policies and labels through the API, probes every ordered pair (in parallel, from inside the pods'
 * namespaces with the lab probe's own client, so a scenario takes seconds) and waits until the observed matrix
 * equals the expected one. An address outside the cluster ({@link Lab#OUTSIDE_IP} in the lab's outside
 * namespace) runs the built-in workload too, answering "outside", for the egress scenarios. The same for every
 * data plane ({@code lab up --backend}); only what a failure saves of the nodes' state depends on it.
 */
final class PolicyLab implements AutoCloseable {
    static final List<String> NAMESPACES = List.of("x", "y", "z");
    static final List<String> POD_NAMES = List.of("a", "b", "c");
    static final List<String> PODS = List.of("x/a", "x/b", "x/c", "y/a", "y/b", "y/c", "z/a", "z/b", "z/c");
    /** The external target's name in the matrices (the workload in the outside namespace answers with it). */
    static final String OUTSIDE = "outside";
    /** A denied pair costs this much per probe; allowed ones answer within milliseconds. */
    static final Duration PROBE_TIMEOUT = Duration.ofMillis(1000);
    /** How long a scenario may take to converge after its change before it fails. */
    static final Duration SETTLE = Duration.ofSeconds(20);
    private static final int PROBE_THREADS = 40;
    /** Where a failed expectation leaves the nodes' flows and conntrack tables (the lab module's target). */
    private static final Path DIAGNOSTICS = Path.of("target", "netpol-diagnostics");

    private final Path home;
    private final Path labDir;
    private final LabBackend backend;
    private final LabPaths paths;
    private final Lab lab;
    private KubernetesClient client;
    private final Syscalls sys = Syscalls.system();
    private final NamespaceSwitcher switcher = new NamespaceSwitcher(sys);
    private final ProbeClient prober = new ProbeClient(switcher, PROBE_TIMEOUT);
    private final ExecutorService pool = Executors.newFixedThreadPool(PROBE_THREADS, r -> {
        Thread t = new Thread(r, "probe");
        t.setDaemon(true);
        return t;
    });
    private WorkloadServer outsideWorkload;
    /** The pods of the sample as created, for putting back a pod a scenario deleted. */
    private final Map<String, Pod> samplePods = new HashMap<>();

    /** What a launcher run printed and how it exited. */
    record Run(int exitCode, String stdout, String stderr) {
    }

    /** A lab of the data plane {@code backend} ({@code lab up --backend}: ovs, iptables). */
    PolicyLab(Path home, Path labDir, String backend) {
        this.home = Objects.requireNonNull(home, "home");
        this.labDir = Objects.requireNonNull(labDir, "labDir");
        this.backend = LabBackend.named(backend);
        this.paths = new LabPaths(labDir);
        this.lab = new Lab(paths, new PrintStream(OutputStream.nullOutputStream()));
    }

    /**
     * `lab up` with the backend and its own policy enforcer, the sample applied and running, the outside workload
     * serving.
     */
    void up(int nodes) throws Exception {
        String enforcer = backend.policyEnforcer().orElseThrow(
                () -> new IllegalStateException("backend " + backend.configName() + " has no NetworkPolicy enforcer"));
        check("up", "--nodes", Integer.toString(nodes), "--backend", backend.configName(), "--network-policy",
                enforcer);
        check("apply", "-f", home.resolve("samples/netpol-xyz.yaml").toString(), "--wait", "--timeout", "180");
        client = lab.client();
        for (String pod : PODS) {
            Pod p = pod(pod);
            samplePods.put(pod, p);
        }
        LabState state = lab.requireUp();
        outsideWorkload = new WorkloadServer(switcher);
        try (NetNamespace outside = NetNamespace.named(sys, state.outsideNetns())) {
            outsideWorkload.serve(OUTSIDE, outside, Set.of(80, 81));
        }
    }

    KubernetesClient client() {
        return client;
    }

    Path home() {
        return home;
    }

    Path labDir() {
        return labDir;
    }

    /** `./trellis lab --lab-dir DIR ARGS...` as a user runs it. */
    Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(home.resolve("trellis").toString(), "lab", "--lab-dir",
                labDir.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("lab-out", ".txt");
        Path err = Files.createTempFile("lab-err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        Run run = new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    Run check(String... args) throws IOException, InterruptedException {
        Run run = run(args);
        assertThat(run.exitCode()).as("lab %s: %s%s", String.join(" ", args), run.stdout(), run.stderr()).isZero();
        return run;
    }

    /** Creates or replaces every object of a YAML text (NetworkPolicies in the scenarios). */
    void apply(String yaml) {
        List<HasMetadata> items = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
        assertThat(items).as("objects in %s", yaml).isNotEmpty();
        for (HasMetadata item : items) {
            HasMetadata existing = client.resource(item).get();
            if (existing == null) {
                client.resource(item).create();
            } else {
                item.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
                client.resource(item).update();
            }
        }
    }

    void deletePolicy(String namespace, String name) {
        assertThat(client.network().v1().networkPolicies().inNamespace(namespace).withName(name).delete())
                .as("deleted policy %s/%s", namespace, name).isNotEmpty();
    }

    /** Sets ({@code value} non-null) or removes a label of pod "NS/POD". */
    void labelPod(String pod, String key, String value) {
        client.pods().inNamespace(namespace(pod)).withName(name(pod)).edit(p -> {
            setLabel(p, key, value);
            return p;
        });
    }

    void labelNamespace(String namespace, String key, String value) {
        client.namespaces().withName(namespace).edit(n -> {
            setLabel(n, key, value);
            return n;
        });
    }

    private static void setLabel(HasMetadata object, String key, String value) {
        Map<String, String> labels = object.getMetadata().getLabels() == null ? new HashMap<>()
                : new HashMap<>(object.getMetadata().getLabels());
        if (value == null) {
            labels.remove(key);
        } else {
            labels.put(key, value);
        }
        object.getMetadata().setLabels(labels);
    }

    /** Deletes pod "NS/POD" and waits until the kubelet has torn its sandbox down. */
    void deletePod(String pod) {
        client.pods().inNamespace(namespace(pod)).withName(name(pod)).delete();
        await("the sandbox of " + pod + " torn down", Duration.ofSeconds(60),
                () -> PodSandbox.load(paths.sandboxDir(), namespace(pod), name(pod)).isEmpty());
    }

    /** Creates pod "NS/POD" again as the sample has it, and waits until it runs. */
    void createPod(String pod) {
        Pod sample = samplePods.get(pod);
        Pod fresh = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withNamespace(namespace(pod))
                .withName(name(pod)).withLabels(sample.getMetadata().getLabels()).endMetadata()
                .withNewSpec().withContainers(sample.getSpec().getContainers()).endSpec().build();
        client.pods().inNamespace(namespace(pod)).resource(fresh).create();
        await(pod + " running", Duration.ofSeconds(90), () -> running(pod).isPresent());
    }

    /** The pod's address now. */
    String ip(String pod) {
        return pod(pod).getStatus().getPodIP();
    }

    /**
     * Back to the sample: no NetworkPolicy anywhere, every pod present with only its pod label, every namespace
     * with only its ns label (and the API server's name label); then waits until everything is reachable again,
     * so that no scenario starts with a leftover of the one before.
     */
    void reset() throws InterruptedException {
        for (NetworkPolicy p : client.network().v1().networkPolicies().inAnyNamespace().list().getItems()) {
            client.resource(p).delete();
        }
        for (String pod : PODS) {
            Pod current = client.pods().inNamespace(namespace(pod)).withName(name(pod)).get();
            if (current == null) {
                createPod(pod);
            } else if (!Map.of("pod", name(pod)).equals(current.getMetadata().getLabels())) {
                client.pods().inNamespace(namespace(pod)).withName(name(pod)).edit(p -> {
                    p.getMetadata().setLabels(Map.of("pod", name(pod)));
                    return p;
                });
            }
        }
        for (String ns : NAMESPACES) {
            Namespace current = client.namespaces().withName(ns).get();
            Map<String, String> wanted = Map.of("ns", ns, "kubernetes.io/metadata.name", ns);
            if (!wanted.equals(current.getMetadata().getLabels())) {
                client.namespaces().withName(ns).edit(n -> {
                    n.getMetadata().setLabels(wanted);
                    return n;
                });
            }
        }
        Reachability all = new Reachability(PODS, List.of(OUTSIDE), true);
        expect("reset to no policies", all, 80, Protocol.TCP);
        expect("reset to no policies", all, 81, Protocol.UDP);
    }

    /**
     * Probes until the observed matrix (over the pods, and the outside address when {@code expected} has it as a
     * target) equals {@code expected}, or fails after {@link #SETTLE} printing both matrices.
     */
    void expect(String scenario, Reachability expected, int port, Protocol protocol) throws InterruptedException {
        String what = scenario + " " + protocol.name().toLowerCase(Locale.ROOT) + "/" + port;
        long start = System.nanoTime();
        long deadline = start + SETTLE.toNanos();
        int rounds = 0;
        Reachability observed;
        do {
            observed = probe(expected, port, protocol);
            rounds++;
            if (observed.equals(expected)) {
                System.out.printf("%s: as expected (%d allowed, %d denied) after %d ms, %d probe round(s)%n", what,
                        expected.count(true), expected.count(false), (System.nanoTime() - start) / 1_000_000, rounds);
                return;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(Reachability.report(what + " (still different after " + SETTLE.toSeconds() + " s, "
                + rounds + " probe rounds)", expected, observed) + backend.configName() + " state of every node: "
                + saveDiagnostics(what));
    }

    /**
     * Each node's data plane at a failure, for finding what decided a pair, in target/netpol-diagnostics/ (one
     * file per failed expectation): br-int's flows and OVS's conntrack table, or the node namespace's rules with
     * their counters, ipsets and the kernel's conntrack table.
     */
    private String saveDiagnostics(String what) {
        Path file = DIAGNOSTICS.resolve(what.replaceAll("[^A-Za-z0-9.-]+", "_") + ".txt");
        try {
            Shell shell = new Shell();
            StringBuilder out = new StringBuilder();
            for (LabState.NodeState node : lab.requireUp().nodes()) {
                for (List<String> dump : nodeDumps(node)) {
                    out.append("==== ").append(node.name()).append(": ").append(String.join(" ", dump)).append('\n')
                            .append(shell.run(dump.toArray(String[]::new)).stdout());
                }
            }
            for (String pod : PODS) {
                running(pod).ifPresent(e -> out.append("pod ").append(pod).append(' ').append(e.ip().getHostAddress())
                        .append('\n'));
            }
            Files.createDirectories(DIAGNOSTICS);
            Files.writeString(file, out);
            return file.toAbsolutePath().toString();
        } catch (IOException | RuntimeException e) {
            return "not saved (" + e.getMessage() + ")";
        }
    }

    /** The commands that show a node's policy state in the backend's data plane, in order. */
    private List<List<String>> nodeDumps(LabState.NodeState node) {
        return switch (backend) {
            case OVS -> {
                Path ovs = paths.ovsDir(node.name());
                yield List.of(
                        List.of("ovs-ofctl", "-O", "OpenFlow15", "dump-flows", "unix:" + ovs.resolve("br-int.mgmt")),
                        List.of("ovs-appctl", "-t", ovs.resolve("ovs-vswitchd.ctl").toString(), "dpctl/dump-conntrack"));
            }
            case IPTABLES -> List.of(
                    Shell.inNetns(node.netns(), "iptables-save", "-c"),
                    Shell.inNetns(node.netns(), "ipset", "list"),
                    Shell.inNetns(node.netns(), "conntrack", "-L"));
        };
    }

    /** One probe of every pair of {@code shape}'s sources and targets. */
    Reachability probe(Reachability shape, int port, Protocol protocol) throws InterruptedException {
        Map<String, Endpoint> endpoints = new HashMap<>();
        for (String pod : shape.sources()) {
            running(pod).ifPresent(e -> endpoints.put(pod, e));
        }
        Reachability observed = shape.copy();
        Map<String, Map<String, Future<Boolean>>> answers = new HashMap<>();
        for (String from : shape.sources()) {
            for (String to : shape.targets()) {
                if (from.equals(to)) {
                    continue;
                }
                Endpoint source = endpoints.get(from);
                Endpoint target = to.equals(OUTSIDE) ? new Endpoint(literal(Lab.OUTSIDE_IP), null)
                        : endpoints.get(to);
                answers.computeIfAbsent(from, f -> new HashMap<>()).put(to, pool.submit(() -> {
                    if (source == null || target == null) {
                        return false;   // not running: nothing answers
                    }
                    try (NetNamespace ns = NetNamespace.named(sys, source.netns())) {
                        return prober.probe(ns, target.ip(), port, protocol, to);
                    }
                }));
            }
        }
        for (var row : answers.entrySet()) {
            for (var cell : row.getValue().entrySet()) {
                try {
                    observed.expect(row.getKey(), cell.getKey(), cell.getValue().get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("probe " + row.getKey() + " -> " + cell.getKey() + " failed", e);
                }
            }
        }
        return observed;
    }

    /** A running pod's address and network namespace. */
    private record Endpoint(InetAddress ip, String netns) {
    }

    private Optional<Endpoint> running(String pod) {
        Pod p = client.pods().inNamespace(namespace(pod)).withName(name(pod)).get();
        if (p == null || p.getStatus() == null || !"Running".equals(p.getStatus().getPhase())
                || p.getStatus().getPodIP() == null) {
            return Optional.empty();
        }
        return PodSandbox.load(paths.sandboxDir(), namespace(pod), name(pod))
                .filter(s -> s.uid().equals(p.getMetadata().getUid()))
                .map(s -> new Endpoint(literal(p.getStatus().getPodIP()), s.netns()));
    }

    /** An address literal (no name lookup happens for one). */
    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + ip, e);
        }
    }

    private Pod pod(String pod) {
        Pod p = client.pods().inNamespace(namespace(pod)).withName(name(pod)).get();
        assertThat(p).as("pod %s", pod).isNotNull();
        return p;
    }

    static String namespace(String pod) {
        return pod.substring(0, pod.indexOf('/'));
    }

    static String name(String pod) {
        return pod.substring(pod.indexOf('/') + 1);
    }

    private static void await(String what, Duration timeout, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting " + timeout.toSeconds() + " s for " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    /** Stops the outside workload and takes the lab down (`lab down`, also after a failed `up`). */
    @Override
    public void close() throws Exception {
        pool.shutdownNow();
        if (outsideWorkload != null) {
            outsideWorkload.close();
        }
        if (client != null) {
            client.close();
        }
        if (Files.exists(labDir)) {
            Run down = run("down");
            assertThat(down.exitCode()).as("lab down: %s%s", down.stdout(), down.stderr()).isZero();
        }
    }
}
