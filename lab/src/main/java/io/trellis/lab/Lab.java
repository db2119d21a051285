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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One lab, by its directory: brings it up and tears it down. Commands that use a running lab get its state
 * and an API client from here.
 */
public final class Lab {
    public static final String NODE_POD_CIDR = "10.244.%d.0/24";
    public static final String NODE_UNDERLAY_IP = "10.250.0.%d";
    private static final Duration API_START = Duration.ofSeconds(60);
    private static final Duration AGENT_READY = Duration.ofSeconds(120);

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

    public void up(int nodeCount, Path home) {
        if (nodeCount < 1 || nodeCount > 50) {
            throw new LabException(2, "--nodes must be between 1 and 50, got " + nodeCount);
        }
        Prerequisites.check(shell, home);
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
            nodes.add(new NodeState("node-" + i, prefix + "-node-" + i, NODE_POD_CIDR.formatted(i),
                    NODE_UNDERLAY_IP.formatted(i), 0));
        }
        LabState state = new LabState(prefix, home, 0, 0, nodes);
        state.save(paths.stateFile());   // first: down finds everything from here on, even after a crash
        try {
            state = startApiServer(state);
            try (KubernetesClient client = client()) {
                for (String ns : List.of("default", "kube-system")) {
                    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                            .build()).create();
                }
                for (NodeState node : nodes) {
                    client.nodes().resource(nodeObject(node)).create();
                }
            }
            LabNode.createUnderlay(shell, state.underlayNetns());
            for (int i = 0; i < nodes.size(); i++) {
                LabNode labNode = new LabNode(paths, shell, processes, nodes.get(i));
                labNode.createNamespace(state.underlayNetns(), i + 1);
                labNode.startOvs();
            }
            // The daemon first: it also makes the API server reachable inside the node namespaces.
            state = startDaemon(state);
            Path agent = home.resolve("core-agent/bin/trellis-agent");
            for (NodeState node : nodes) {
                long pid = new LabNode(paths, shell, processes, node).startAgent(agent);
                state = state.withNode(node.withAgentPid(pid));
                state.save(paths.stateFile());
                out.println(node.name() + ": namespace " + node.netns() + ", pod CIDR " + node.podCidr()
                        + ", agent pid " + pid);
            }
            for (NodeState node : state.nodes()) {
                awaitAgent(state, node, home);
            }
            out.println("lab up in " + paths.root() + " (prefix " + prefix + "): " + nodeCount + " node(s), API "
                    + "server kubeconfig " + paths.kubeconfig());
        } catch (RuntimeException e) {
            throw new LabException("lab up failed: " + e.getMessage() + "\n(what was started is left for "
                    + "inspection: logs in " + paths.root() + "; `./trellis lab down` removes it)");
        }
    }

    private static Node nodeObject(NodeState node) {
        return new NodeBuilder().withNewMetadata().withName(node.name())
                .addToLabels("kubernetes.io/hostname", node.name()).endMetadata()
                .withNewSpec().withPodCIDR(node.podCidr()).withPodCIDRs(node.podCidr()).endSpec()
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
            if (processes.isLabProcess(state.daemonPid())) {
                stopped++;
            }
            processes.stop(state.daemonPid(), Duration.ofSeconds(10));
            for (NodeState node : state.nodes()) {
                stopped += (int) Stream.of(node.agentPid(),
                                Processes.readPidFile(paths.ovsDir(node.name()).resolve("ovs-vswitchd.pid")),
                                Processes.readPidFile(paths.ovsDir(node.name()).resolve("ovsdb-server.pid")))
                        .filter(processes::isLabProcess).count();
                new LabNode(paths, shell, processes, node).stopDaemons();
            }
            if (processes.isLabProcess(state.apiServerPid())) {
                stopped++;
            }
            processes.stop(state.apiServerPid(), Duration.ofSeconds(3));   // in-memory state: nothing to save
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
