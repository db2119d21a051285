package io.trellis.lab;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.trellis.lab.LabState.NodeState;
import io.trellis.lab.kubelet.CniInvoker;
import io.trellis.lab.node.LabNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One lab, by its directory: brings it up and tears it down. Commands that use a running lab get its state
 * and an API client from here.
 */
public final class Lab {
    public static final String NODE_UNDERLAY_IP = "10.250.0.%d";
    /** The outside client's address on the underlay (netns {@code <prefix>-outside}); nodes use .1 to .50, their gateway .254. */
    public static final String OUTSIDE_IP = "10.250.0.200";
    private static final Duration API_START = Duration.ofSeconds(60);
    private static final Duration AGENT_READY = Duration.ofSeconds(120);
    /** How long an agent waits for its Node's pod CIDR from the controller before giving up. */
    private static final Duration AGENT_NODE_TIMEOUT = Duration.ofSeconds(120);

    private final LabPaths paths;
    private final Shell shell;
    private final Processes processes;
    private final PrintStream out;

    public Lab(LabPaths paths, PrintStream out) {
        this.paths = paths;
        this.shell = new Shell();
        this.processes = new Processes(paths.root());
        this.out = out;
    }

    public LabPaths paths() {
        return paths;
    }

    /** The state of the running lab; {@link LabException#notUp} when there is none. */
    public LabState requireUp() {
        LabState state = LabState.load(paths.stateFile()).orElseThrow(() -> LabException.notUp(paths));
        if (!processes.isLabProcess(state.apiServerPid()) || !Files.exists(paths.kubeconfig())) {
            throw new LabException(3, "the lab in " + paths.root() + " is not running (its API server is gone); "
                    + "clean up with `./trellis lab down`, then `./trellis lab up`");
        }
        return state;
    }

    /** A client of the running lab's API server. */
    public KubernetesClient client() {
        requireUp();
        try {
            Config config = Config.fromKubeconfig(Files.readString(paths.kubeconfig()));
            config.setRequestTimeout(10_000);
            return new KubernetesClientBuilder().withConfig(config).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a lab of {@code nodeCount} nodes whose agents run the {@code backendName} data plane ({@link LabBackend}:
     * ovs or iptables), tunnel to each other with {@code tunnelType} (geneve or vxlan; null: the backend's default)
     * and enforce NetworkPolicy as {@code networkPolicy} says: the backend's enforcer (ovs: the controller's policy
     * stream over TLS, enforced in OVS) or {@code none}; null: the backend's default (enforced when it can).
     */
    public void up(int nodeCount, String backendName, String tunnelType, String networkPolicy, Path home) {
        if (nodeCount < 1 || nodeCount > 50) {
            throw new LabException(2, "--nodes must be between 1 and 50, got " + nodeCount);
        }
        LabBackend backend = LabBackend.named(backendName);
        if (tunnelType == null) {
            tunnelType = backend.defaultTunnel();
        }
        backend.requireTunnelType(tunnelType);
        if (networkPolicy == null) {
            networkPolicy = backend.defaultNetworkPolicy();
        }
        backend.requireNetworkPolicyMode(networkPolicy);
        Prerequisites.check(shell, home, backend);
        LabState.load(paths.stateFile()).ifPresent(existing -> {
            if (processes.isLabProcess(existing.apiServerPid())) {
                throw new LabException("a lab is already up in " + paths.root() + " (prefix " + existing.prefix()
                        + "); run `./trellis lab down` first");
            }
            out.println("cleaning up what a previous lab left in " + paths.root());
            down();
        });
        String prefix = newPrefix();
        List<NodeState> nodes = new ArrayList<>();
        for (int i = 1; i <= nodeCount; i++) {
            nodes.add(new NodeState("node-" + i, prefix + "-node-" + i, NODE_UNDERLAY_IP.formatted(i), 0));
        }
        int agentApiPort = networkPolicy.equals(LabState.NO_NETWORK_POLICY) ? 0 : freeLoopbackPort();
        LabState state = new LabState(prefix, home, backend.configName(), tunnelType, 0, 0, 0, networkPolicy,
                agentApiPort, nodes);
        state.save(paths.stateFile());   // first: down finds everything from here on, even after a crash
        try {
            if (agentApiPort > 0) {
                new LabCredentials(paths, shell).create(nodes.stream().map(NodeState::name).toList());
            }
            state = startApiServer(state);
            try (KubernetesClient client = client()) {
                for (String ns : List.of("default", "kube-system")) {
                    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                            .build()).create();
                }
                // The controller's Lease lives in kube-system; it allocates each Node's pod CIDR as it appears.
                state = startController(state);
                for (NodeState node : nodes) {
                    client.nodes().resource(nodeObject(node)).create();
                }
            }
            LabNode.createUnderlay(shell, state.underlayNetns());
            LabNode.createOutsideClient(shell, state.underlayNetns(), state.outsideNetns(), OUTSIDE_IP);
            for (int i = 0; i < nodes.size(); i++) {
                LabNode labNode = new LabNode(paths, shell, processes, nodes.get(i));
                labNode.createNamespace(state.underlayNetns(), i + 1);
                if (backend.runsOvs()) {
                    labNode.startOvs();
                }
            }
            // The daemon first: it also makes the API server reachable inside the node namespaces.
            state = startDaemon(state);
            for (NodeState node : nodes) {
                long pid = new LabNode(paths, shell, processes, node).startAgent(agentExecutable(home), state,
                        AGENT_NODE_TIMEOUT);
                state = state.withNode(node.withAgentPid(pid));
                state.save(paths.stateFile());
            }
            for (NodeState node : state.nodes()) {
                awaitAgent(state, node, home);
            }
            Map<String, String> cidrs = podCidrs();
            for (NodeState node : state.nodes()) {
                out.println(node.name() + ": namespace " + node.netns() + ", InternalIP " + node.internalIp()
                        + ", pod CIDR " + cidrs.getOrDefault(node.name(), "-") + " (allocated by the controller), "
                        + "agent pid " + node.agentPid());
            }
            out.println("lab up in " + paths.root() + " (prefix " + prefix + "): " + nodeCount + " node(s), backend "
                    + backend.configName() + ", " + tunnelType + " overlay, Service proxy " + backend.serviceProxy()
                    + ", network policy " + (agentApiPort > 0 ? "enforced by " + networkPolicy + " (controller "
                    + "agent API on 127.0.0.1:" + agentApiPort + ")" : "none") + ", API server kubeconfig "
                    + paths.kubeconfig());
        } catch (RuntimeException e) {
            throw new LabException("lab up failed: " + e.getMessage() + "\n(what was started is left for "
                    + "inspection: logs in " + paths.root() + "; `./trellis lab down` removes it)");
        }
    }

    /** Each Node's spec.podCIDR as the API server has it now (nodes without one are left out). */
    public Map<String, String> podCidrs() {
        Map<String, String> cidrs = new TreeMap<>();
        try (KubernetesClient client = client()) {
            for (Node node : client.nodes().list().getItems()) {
                if (node.getSpec() != null && node.getSpec().getPodCIDR() != null) {
                    cidrs.put(node.getMetadata().getName(), node.getSpec().getPodCIDR());
                }
            }
        }
        return cidrs;
    }

    /**
     * The Node object of a lab node, as a kubelet registers it: name, hostname label, InternalIP, Ready; no pod
     * CIDR (the controller allocates it).
     */
    public static Node nodeObject(NodeState node) {
        return new NodeBuilder().withNewMetadata().withName(node.name())
                .addToLabels("kubernetes.io/hostname", node.name()).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress(node.internalIp()).endAddress()
                .addNewAddress().withType("Hostname").withAddress(node.name()).endAddress()
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
    }

    private LabState startApiServer(LabState state) {
        List<String> command = javaCommand(state.home(), "io.trellis.lab.apiserver.LabApiServer", "--kubeconfig",
                paths.kubeconfig().toString());
        long pid = processes.startDetached(command, paths.apiServerLog(), Map.of());
        LabState updated = state.withApiServerPid(pid);
        updated.save(paths.stateFile());
        await("the API server to start (log: " + paths.apiServerLog() + ")", API_START,
                () -> Files.exists(paths.kubeconfig()), () -> alive(pid));
        return updated;
    }

    private LabState startController(LabState state) {
        long pid = new LabController(paths, processes).start(state.home(), state.agentApiPort());
        LabState updated = state.withControllerPid(pid);
        updated.save(paths.stateFile());
        return updated;
    }

    /**
     * Stops the controller if it runs and starts it again (e.g. after a crash); the Node pod CIDRs stay as the
     * API server holds them, the controller rebuilds its allocations from them.
     */
    public void restartController() {
        LabState state = requireUp();
        LabController controller = new LabController(paths, processes);
        controller.stop(state.controllerPid());
        long logStart = fileSize(paths.controllerLog());
        LabState updated = startController(state);
        // Leader again and watching Nodes: from here on a new Node gets its CIDR.
        await("the controller to lead and watch Nodes (log: " + paths.controllerLog() + ")", API_START,
                () -> logSince(paths.controllerLog(), logStart).contains(LabController.READY_LOG_LINE),
                () -> alive(updated.controllerPid()));
        out.println("controller restarted, pid " + updated.controllerPid());
    }

    /**
     * Stops a node's agent if it runs (SIGTERM; the data plane stays) and starts it again, waiting until it is
     * ready.
     */
    public void restartAgent(String nodeName) {
        LabState state = requireUp();
        NodeState node = state.node(nodeName).orElseThrow(() -> new LabException(2, "no node '" + nodeName
                + "' in the lab (nodes: " + state.nodes().stream().map(NodeState::name).toList() + ")"));
        LabNode labNode = new LabNode(paths, shell, processes, node);
        labNode.stopAgent();
        long pid = labNode.startAgent(agentExecutable(state.home()), state, AGENT_NODE_TIMEOUT);
        LabState updated = state.withNode(node.withAgentPid(pid));
        updated.save(paths.stateFile());
        awaitAgent(updated, node, state.home());
        out.println(nodeName + ": agent restarted, pid " + pid);
    }

    /**
     * A TCP port free on the host's loopback now, for the controller's agent API. The lab daemon must listen on
     * the same port inside every node namespace, which are new and empty, so only the host side can clash.
     */
    private static int freeLoopbackPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port for the controller's agent API", e);
        }
    }

    private static Path agentExecutable(Path home) {
        return home.resolve("core-agent/bin/trellis-agent");
    }

    private LabState startDaemon(LabState state) {
        try {
            Files.deleteIfExists(LabDaemon.readyFile(paths));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = javaCommand(state.home(), "io.trellis.lab.LabDaemon", "--lab-dir",
                paths.root().toString());
        long pid = processes.startDetached(command, paths.daemonLog(), Map.of());
        LabState updated = state.withDaemonPid(pid);
        updated.save(paths.stateFile());
        await("the lab kubelet to start (log: " + paths.daemonLog() + ")", API_START,
                () -> Files.exists(LabDaemon.readyFile(paths)), () -> alive(pid));
        return updated;
    }

    private void awaitAgent(LabState state, NodeState node, Path home) {
        CniInvoker cni = new CniInvoker(home.resolve("cni/bin/trellis-cni"), node.netns(), paths.cniSocket(node.name()));
        long pid = state.node(node.name()).orElseThrow().agentPid();
        await("the agent of " + node.name() + " to be ready (log: " + paths.agentLog(node.name()) + ")", AGENT_READY,
                cni::ready, () -> alive(pid));
    }

    /**
     * Whether a process this command just started still runs. (Not {@link Processes#isLabProcess}: right after
     * the start, its command line is still the spawn helper's.)
     */
    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private void await(String what, Duration timeout, BooleanSupplier done, BooleanSupplier alive) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (!alive.getAsBoolean()) {
                throw new LabException("gave up waiting for " + what + ": the process exited");
            }
            if (System.nanoTime() > deadline) {
                throw new LabException("gave up waiting " + timeout.toSeconds() + " s for " + what);
            }
            Processes.sleep(200);
        }
    }

    private static long fileSize(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a log file gained after {@code offset}. */
    private static String logSince(Path file, long offset) {
        try (FileChannel channel = FileChannel.open(file)) {
            channel.position(offset);
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command line of a lab process: this JVM's java with the lab module's class path. */
    public static List<String> javaCommand(Path home, String mainClass, String... args) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classpath = labClasspath(home);
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m", "-XX:+UseSerialGC", "-cp",
                classpath, mainClass));
        command.addAll(List.of(args));
        return command;
    }

    static String labClasspath(Path home) {
        Path classes = home.resolve("lab/target/classes");
        Path deps = home.resolve("lab/target/lab.classpath");
        try {
            return classes + ":" + Files.readString(deps).strip();
        } catch (IOException e) {
            throw new LabException("the lab is not built (" + deps + " missing): run `./trellis build` or "
                    + "`mvn -pl lab -am package -DskipTests`");
        }
    }

    /** Removes everything the lab created; safe to run repeatedly and after a crash. */
    public void down() {
        LabState state = LabState.load(paths.stateFile()).orElse(null);
        if (state == null && !Files.exists(paths.root())) {
            out.println("no lab in " + paths.root() + ": nothing to do");
            return;
        }
        int stopped = 0;
        if (state != null) {
            // First what uses the others (lab daemon, agents, controller), then the OVS daemons, then the API
            // server; each group stopped in parallel.
            List<Long> users = new ArrayList<>(List.of(state.daemonPid(), state.controllerPid()));
            List<Long> ovs = new ArrayList<>();
            for (NodeState node : state.nodes()) {
                users.add(node.agentPid());
                if (state.labBackend().runsOvs()) {
                    ovs.addAll(new LabNode(paths, shell, processes, node).ovsPids());
                }
            }
            stopped += (int) Stream.of(users, ovs, List.of(state.apiServerPid())).flatMap(List::stream)
                    .filter(processes::isLabProcess).count();
            processes.stopAll(users, Duration.ofSeconds(10));
            processes.stopAll(ovs, Duration.ofSeconds(5));
            processes.stopAll(List.of(state.apiServerPid()), Duration.ofSeconds(3));   // in-memory: nothing to save
        }
        // Anything else still naming the lab directory (e.g. started by a crashed `up` before it saved a pid).
        for (long pid : processes.labProcesses()) {
            processes.stop(pid, Duration.ofSeconds(5));
            stopped++;
        }
        int namespaces = 0;
        int links = 0;
        if (state != null) {
            String mine = state.prefix() + "-";
            for (String ns : shell.namespaces()) {
                if (ns.startsWith(mine)) {
                    shell.check("ip", "netns", "del", ns);
                    namespaces++;
                }
            }
            for (String link : hostLinks()) {
                if (link.startsWith(state.prefix())) {
                    shell.check("ip", "link", "del", link);
                    links++;
                }
            }
        }
        deleteTree(paths.root());
        out.println("lab down: stopped " + stopped + " process(es), deleted " + namespaces + " network namespace(s)"
                + (links > 0 ? " and " + links + " link(s)" : "") + ", removed " + paths.root());
    }

    private List<String> hostLinks() {
        List<String> names = new ArrayList<>();
        for (String line : shell.check("ip", "-o", "link", "show").split("\n")) {
            String[] parts = line.split(":\\s+", 3);
            if (parts.length >= 2) {
                String name = parts[1].strip();
                int at = name.indexOf('@');
                names.add(at >= 0 ? name.substring(0, at) : name);
            }
        }
        return names;
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + root + ": " + e.getMessage(), e);
        }
    }

    private String newPrefix() {
        SecureRandom random = new SecureRandom();
        List<String> existing = shell.namespaces();
        for (int attempt = 0; attempt < 100; attempt++) {
            byte[] bytes = new byte[2];
            random.nextBytes(bytes);
            String prefix = "tl" + HexFormat.of().formatHex(bytes);
            if (existing.stream().noneMatch(ns -> ns.startsWith(prefix + "-"))) {
                return prefix;
            }
        }
        throw new LabException("cannot find an unused lab prefix");
    }
}
