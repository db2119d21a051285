package io.trellis.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.lab.LabState.NodeState;
import io.trellis.lab.kubelet.PodSandbox;
import io.trellis.lab.node.LabNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The pod-connectivity suite, the same for every data plane (`lab up --backend`): a three-node lab through
 * `./trellis lab`, the controller allocating the nodes' pod CIDRs, samples/xyz-pods.yaml spread over them; every
 * ordered pair on TCP and UDP while the underlay is captured, a 1 MiB transfer across nodes, a Node removed and
 * re-created, a node's agent killed and restarted under traffic with an established connection, and `down`
 * leaving nothing behind. One lab for the whole class (the tests run in order and build on each other).
 *
 * <p>A backend runs it by extending it: {@link #backend()} names the lab backend, and the hooks look at its own
 * data plane (how pod traffic crossed the underlay, its routing entries for a remote pod CIDR, its state that an
 * agent restart must leave as it was, its processes besides the agent). Subclasses add their own checks between
 * the orders used here (10, 20, 30, 40, 60; {@code down} is 100). Fails without root, the backend's tools, tcpdump,
 * python3 or a built tree.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class PodConnectivitySuite {
    protected static final int NODES = 3;
    /** The pods of samples/xyz-pods.yaml. */
    protected static final int PODS = 9;
    /** How soon a Node change must show on the other nodes ("within a few seconds"). */
    protected static final Duration NODE_CHANGE = Duration.ofSeconds(10);
    /** The agent-restart test tolerates at most this share of lost pings (1 %). */
    private static final double MAX_PING_LOSS = 0.01;
    /** Lines of the host's iptables-save that would be Trellis's (none may be left by a lab). */
    private static final Pattern TRELLIS_RULE = Pattern.compile("(?i)trellis");

    protected final Path home = Path.of("").toAbsolutePath().getParent();
    protected final Shell shell = new Shell();
    protected Path labDir;
    protected LabLauncher launcher;
    protected LabState state;
    /** Pod key (NS/POD) → where it runs. */
    protected Map<String, PodPlace> pods;
    private Set<String> hostTrellisRulesBefore;

    protected record PodPlace(String node, String ip, String netns) {
    }

    protected record Pair(String from, String to) {
    }

    /** How far a node's data plane routes a remote node's pod CIDR. */
    protected enum Routing {
        /** Every entry the backend needs to reach it. */
        ROUTED,
        /** No trace of it. */
        ABSENT,
        /** Some entries but not all (converging, or broken). */
        PARTIAL
    }

    /** The `lab up --backend` value. */
    protected abstract String backend();

    /**
     * Checks the capture of the underlay bridge taken while every pair was probed: between every ordered pair of
     * {@code nodeIps}, pod traffic crossed as the backend carries it, and nothing the backend does not send.
     */
    protected abstract void assertUnderlayCarriedPodTraffic(Path pcap, Set<String> nodeIps);

    /** How far {@code observer}'s data plane routes {@code cidr}, another node's pod CIDR. */
    protected abstract Routing routing(NodeState observer, String cidr);

    /**
     * The node's data plane as the backend programs it, without counters, in a form an agent restart must leave
     * equal (no duplicate rules, nothing lost).
     */
    protected abstract List<String> dataPlaneState(NodeState node);

    /** The node's processes besides the agent (e.g. OVS daemons), which must run and which `down` must stop. */
    protected List<Long> backendProcesses(NodeState node) {
        return List.of();
    }

    @BeforeAll
    void up() throws Exception {
        hostTrellisRulesBefore = hostTrellisRules();
        labDir = Files.createTempDirectory(Path.of("/tmp"), "tlab" + backend());
        launcher = new LabLauncher(home, labDir);
        LabLauncher.Run up = launcher.check("up", "--nodes", Integer.toString(NODES), "--backend", backend());
        assertThat(up.stdout()).contains("backend " + backend());
        state = LabState.load(labDir.resolve("lab.json")).orElseThrow();
        assertThat(state.backend()).isEqualTo(backend());
    }

    @AfterAll
    void down() throws Exception {
        if (labDir != null && Files.exists(labDir)) {
            launcher.run("down");
        }
    }

    @Test
    @Order(10)
    void theControllerAllocatedDistinctCidrsAndPodsSpreadOverAllNodes() throws Exception {
        Map<String, String> cidrs = lab().podCidrs();
        assertThat(cidrs).containsOnlyKeys("node-1", "node-2", "node-3");
        assertThat(new HashSet<>(cidrs.values())).hasSize(NODES)
                .allSatisfy(c -> assertThat(c).matches("10\\.244\\.\\d+\\.0/24"));
        String nodes = launcher.check("get", "nodes").stdout();
        for (NodeState node : state.nodes()) {
            assertThat(nodes).containsPattern(node.name() + "\\s+" + Pattern.quote(cidrs.get(node.name())) + "\\s+"
                    + Pattern.quote(node.internalIp()));
        }

        LabLauncher.Run apply = launcher.check("apply", "-f", home.resolve("samples/xyz-pods.yaml").toString(),
                "--wait", "--timeout", "180");
        assertThat(apply.stdout()).contains(PODS + " pod(s) running");
        pods = pods();
        assertThat(pods).hasSize(PODS);
        Map<String, Integer> perNode = new TreeMap<>();
        pods.values().forEach(p -> perNode.merge(p.node(), 1, Integer::sum));
        assertThat(perNode).as("pods per node").isEqualTo(Map.of("node-1", 3, "node-2", 3, "node-3", 3));
        for (PodPlace pod : pods.values()) {
            assertThat(inCidr(pod.ip(), cidrs.get(pod.node()))).as("%s in %s", pod, cidrs.get(pod.node())).isTrue();
        }
        // `lab exec` runs in the pod's namespace, whatever put the interface there.
        assertThat(launcher.check("exec", "x/a", "--", "ip", "-4", "-o", "addr", "show", "dev", "eth0").stdout())
                .contains(" " + pods.get("x/a").ip() + "/24 ");
    }

    @Test
    @Order(20)
    void allPairsReachEachOtherOnTcpAndUdpAcrossTheUnderlay() throws Exception {
        Path pcap = labDir.resolve("underlay.pcap");
        Process capture = startCapture(pcap);
        JsonNode tcp;
        JsonNode udp;
        try {
            tcp = launcher.probe(80, "tcp", 3000);
            udp = launcher.probe(81, "udp", 3000);
        } finally {
            capture.destroy();
            assertThat(capture.waitFor(10, TimeUnit.SECONDS)).as("tcpdump stops").isTrue();
        }
        assertThat(failures(tcp)).as("tcp/80 failures").isEmpty();
        assertThat(tcp.path("results")).hasSize(PODS * (PODS - 1));
        assertThat(failures(udp)).as("udp/81 failures").isEmpty();
        assertThat(udp.path("results")).hasSize(PODS * (PODS - 1));
        assertUnderlayCarriedPodTraffic(pcap, new TreeSet<>(state.nodes().stream().map(NodeState::internalIp).toList()));
    }

    @Test
    @Order(30)
    void aMebibyteCrossesNodesIntact() throws Exception {
        String server = podOn("node-1");
        String client = podOn("node-2");
        String serverScript = """
                import hashlib, socket, sys
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("0.0.0.0", 9000)); s.listen(1); print("listening", flush=True)
                s.settimeout(60); c, _ = s.accept(); c.settimeout(60)
                h = hashlib.sha256(); n = 0
                while True:
                    b = c.recv(65536)
                    if not b: break
                    h.update(b); n += len(b)
                print(n, h.hexdigest(), flush=True)
                """;
        String clientScript = """
                import hashlib, os, socket, sys
                data = os.urandom(1 << 20)
                c = socket.create_connection((sys.argv[1], 9000), timeout=30)
                c.sendall(data); c.shutdown(socket.SHUT_WR); c.recv(1); c.close()
                print(len(data), hashlib.sha256(data).hexdigest(), flush=True)
                """;
        Process serverProcess = new ProcessBuilder(inPod(server, "python3", "-c", serverScript))
                .redirectErrorStream(true).start();
        try {
            BufferedReader serverOut = new BufferedReader(new InputStreamReader(serverProcess.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(serverOut.readLine()).isEqualTo("listening");
            Shell.Result sent = shell.run(inPod(client, "python3", "-c", clientScript, pods.get(server).ip()),
                    Map.of());
            assertThat(sent.exitCode()).as("client: %s", sent.stderr()).isZero();
            assertThat(serverProcess.waitFor(60, TimeUnit.SECONDS)).as("server finishes").isTrue();
            String received = serverOut.readLine();
            assertThat(sent.stdout().strip()).startsWith("1048576 ");
            assertThat(received).as("received by %s on %s from %s on %s", server, pods.get(server).node(), client,
                    pods.get(client).node()).isEqualTo(sent.stdout().strip());
        } finally {
            serverProcess.destroyForcibly();
        }
    }

    @Test
    @Order(40)
    void aRemovedNodeIsCutOffAndARecreatedOneIsReconnected() throws Exception {
        String cidr3 = lab().podCidrs().get("node-3");
        NodeState node3 = state.node("node-3").orElseThrow();
        List<NodeState> others = List.of(state.node("node-1").orElseThrow(), state.node("node-2").orElseThrow());
        for (NodeState observer : others) {
            assertThat(routing(observer, cidr3)).as("%s routes node-3's %s", observer.name(), cidr3)
                    .isEqualTo(Routing.ROUTED);
        }

        try (KubernetesClient client = lab().client()) {
            assertThat(client.nodes().withName("node-3").delete()).isNotEmpty();
        }
        for (NodeState observer : others) {
            awaitTrue("node-3's pod CIDR " + cidr3 + " gone from " + observer.name() + "'s data plane", NODE_CHANGE,
                    () -> routing(observer, cidr3) == Routing.ABSENT);
        }
        JsonNode cut = launcher.probe(80, "tcp", 1000);
        for (JsonNode r : cut.path("results")) {
            String from = pods.get(r.path("from").asString()).node();
            String to = pods.get(r.path("to").asString()).node();
            boolean involvesNode3 = from.equals("node-3") != to.equals("node-3");
            assertThat(r.path("ok").asBoolean()).as("%s (%s) -> %s (%s) with node-3 removed", r.path("from"), from,
                    r.path("to"), to).isEqualTo(!involvesNode3);
        }

        // Re-registered as a kubelet does: same name and InternalIP, no pod CIDR. The controller hands out the
        // lowest free CIDR, which is the one node-3 had (its agent and pods still use it).
        try (KubernetesClient client = lab().client()) {
            client.nodes().resource(Lab.nodeObject(node3)).create();
        }
        awaitTrue("node-3 gets a pod CIDR again", NODE_CHANGE, () -> lab().podCidrs().containsKey("node-3"));
        assertThat(lab().podCidrs().get("node-3")).isEqualTo(cidr3);
        for (NodeState observer : others) {
            awaitTrue("node-3's pod CIDR " + cidr3 + " routed by " + observer.name() + " again", NODE_CHANGE,
                    () -> routing(observer, cidr3) == Routing.ROUTED);
        }
        awaitTrue("all " + PODS * (PODS - 1) + " pairs reachable again", NODE_CHANGE,
                () -> failures(probeQuietly()).isEmpty());
    }

    @Test
    @Order(60)
    void trafficAndAnOpenConnectionAcrossNodesSurviveAnAgentKilledAndRestarted() throws Exception {
        String from = podOn("node-1");
        String to = podOn("node-2");
        NodeState node1 = state.node("node-1").orElseThrow();
        List<String> dataPlaneBefore = dataPlaneState(node1);
        assertThat(dataPlaneBefore).as("node-1's data plane").isNotEmpty();
        long agentPid = currentState().node("node-1").orElseThrow().agentPid();
        ProcessHandle agent = ProcessHandle.of(agentPid).orElseThrow();

        // A TCP connection from a node-1 pod to a node-2 pod, open from before the kill until after the restart.
        Process echoServer = new ProcessBuilder(inPod(to, "python3", "-c", """
                import socket
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("0.0.0.0", 9001)); s.listen(1); print("listening", flush=True)
                s.settimeout(120); c, _ = s.accept(); c.settimeout(120)
                f = c.makefile("rw")
                for line in f:
                    f.write("echo " + line); f.flush()
                """)).redirectErrorStream(true).start();
        Process echoClient = null;
        Path pingOut = labDir.resolve("ping.out");
        Process ping = null;
        try {
            BufferedReader serverOut = new BufferedReader(new InputStreamReader(echoServer.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(serverOut.readLine()).isEqualTo("listening");
            echoClient = new ProcessBuilder(inPod(from, "python3", "-c", """
                    import socket, sys
                    c = socket.create_connection((sys.argv[1], 9001), timeout=20)
                    f = c.makefile("rw")
                    print("connected from port", c.getsockname()[1], flush=True)
                    for line in sys.stdin:
                        f.write(line); f.flush()
                        print(f.readline().strip(), flush=True)
                    """, pods.get(to).ip())).redirectErrorStream(true).start();
            Writer toClient = new OutputStreamWriter(echoClient.getOutputStream(), StandardCharsets.UTF_8);
            BufferedReader fromClient = new BufferedReader(new InputStreamReader(echoClient.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(fromClient.readLine()).startsWith("connected from port");
            assertThat(exchange(toClient, fromClient, "before")).isEqualTo("echo before");

            // 50 pings a second from a node-1 pod to a node-2 pod, from before the kill until after the restart.
            ping = new ProcessBuilder(inPod(from, "ping", "-q", "-i", "0.02", "-W", "1", "-w", "120",
                    pods.get(to).ip())).redirectErrorStream(true).redirectOutput(pingOut.toFile()).start();
            Thread.sleep(2000);
            agent.destroyForcibly();
            assertThat(agent.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();
            Thread.sleep(2000);
            LabLauncher.Run restart = launcher.check("restart", "agent", "--node", "1");
            assertThat(restart.stdout()).contains("node-1: agent restarted");
            Thread.sleep(2000);
            assertThat(ping.isAlive()).as("ping still running after the restart").isTrue();
            shell.check("kill", "-INT", Long.toString(ping.pid()));   // ping prints its summary on SIGINT
            assertThat(ping.waitFor(10, TimeUnit.SECONDS)).as("ping stops").isTrue();

            assertThat(exchange(toClient, fromClient, "after")).as("the connection opened before the kill")
                    .isEqualTo("echo after");
            toClient.close();
            assertThat(echoClient.waitFor(10, TimeUnit.SECONDS)).as("client ends").isTrue();
            assertThat(echoClient.exitValue()).isZero();
        } finally {
            if (ping != null) {
                ping.destroyForcibly();
            }
            if (echoClient != null) {
                echoClient.destroyForcibly();
            }
            echoServer.destroyForcibly();
        }
        String summary = Files.readString(pingOut);
        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(summary);
        assertThat(m.find()).as("ping summary: %s", summary).isTrue();
        int sent = Integer.parseInt(m.group(1));
        int received = Integer.parseInt(m.group(2));
        assertThat(sent).as("pings sent").isGreaterThan(200);
        // One more for the ping in flight when SIGINT stopped it.
        assertThat(sent - received).as("pings lost of %d across the agent's kill and restart", sent)
                .isLessThanOrEqualTo((int) Math.floor(sent * MAX_PING_LOSS) + 1);

        assertThat(currentState().node("node-1").orElseThrow().agentPid()).isNotEqualTo(agentPid);
        assertThat(dataPlaneState(node1)).as("node-1's data plane after the restart").isEqualTo(dataPlaneBefore);
        assertThat(failures(launcher.probe(80, "tcp", 3000))).isEmpty();
    }

    @Test
    @Order(100)
    void downLeavesNothingBehind() throws Exception {
        LabState now = currentState();
        List<Long> pids = new ArrayList<>(List.of(now.apiServerPid(), now.controllerPid(), now.daemonPid()));
        int backendPids = 0;
        for (NodeState node : now.nodes()) {
            pids.add(node.agentPid());
            List<Long> own = backendProcesses(node);
            pids.addAll(own);
            backendPids += own.size();
        }
        assertThat(pids).hasSize(3 + NODES + backendPids)
                .allSatisfy(pid -> assertThat(alive(pid)).as("pid %d before down", pid).isTrue());

        LabLauncher.Run down = launcher.check("down");
        // The underlay, the outside client, the nodes and the pods.
        assertThat(down.stdout()).contains("stopped " + pids.size() + " process(es)")
                .contains("deleted " + (2 + NODES + PODS) + " network namespace(s)");
        assertThat(shell.namespaces()).noneMatch(ns -> ns.startsWith(now.prefix()));
        assertThat(shell.check("ip", "-o", "link", "show")).doesNotContain(now.prefix());
        assertThat(pids).allSatisfy(pid -> assertThat(alive(pid)).as("pid %d after down", pid).isFalse());
        assertThat(new Processes(labDir).labProcesses()).isEmpty();
        assertThat(labDir).doesNotExist();
        // Everything the agents programmed lived in the node namespaces: nothing in the host's tables.
        assertThat(hostTrellisRules()).as("Trellis lines in the host's iptables-save")
                .isSubsetOf(hostTrellisRulesBefore);
    }

    // ------------------------------------------------------------------ helpers for the suite and its backends

    protected Lab lab() {
        return new Lab(new LabPaths(labDir), new PrintStream(OutputStream.nullOutputStream()));
    }

    protected LabState currentState() {
        return LabState.load(labDir.resolve("lab.json")).orElseThrow();
    }

    protected Map<String, PodPlace> pods() {
        Map<String, PodPlace> places = new TreeMap<>();
        Map<String, PodSandbox> sandboxes = new HashMap<>();
        PodSandbox.all(labDir.resolve("pods")).forEach(s -> sandboxes.put(s.key(), s));
        try (KubernetesClient client = lab().client()) {
            for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
                String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
                PodSandbox sandbox = sandboxes.get(key);
                assertThat(sandbox).as("sandbox of %s", key).isNotNull();
                assertThat(sandbox.node()).isEqualTo(pod.getSpec().getNodeName());
                places.put(key, new PodPlace(pod.getSpec().getNodeName(), pod.getStatus().getPodIP(), sandbox.netns()));
            }
        }
        return places;
    }

    protected String podOn(String node) {
        return pods.entrySet().stream().filter(e -> e.getValue().node().equals(node)).map(Map.Entry::getKey)
                .findFirst().orElseThrow();
    }

    protected List<String> inPod(String pod, String... command) {
        return Shell.inNetns(pods.get(pod).netns(), command);
    }

    /** A command's output inside a node's namespace; it must succeed. */
    protected String inNode(NodeState node, String... command) {
        return shell.check(Shell.inNetns(node.netns(), command), Map.of());
    }

    /** The node namespace's IPv4 routes. */
    protected String routes(NodeState node) {
        return shell.check("ip", "-n", node.netns(), "-4", "route", "show");
    }

    /** The ordered pairs of distinct addresses. */
    protected static Set<Pair> orderedPairs(Set<String> addresses) {
        Set<Pair> pairs = new HashSet<>();
        for (String a : addresses) {
            for (String b : addresses) {
                if (!a.equals(b)) {
                    pairs.add(new Pair(a, b));
                }
            }
        }
        return pairs;
    }

    private Process startCapture(Path pcap) throws IOException {
        Path err = labDir.resolve("tcpdump.err");
        Process capture = new ProcessBuilder(Shell.inNetns(state.underlayNetns(), "tcpdump", "-i",
                LabNode.UNDERLAY_BRIDGE, "-nn", "-U", "-s", "256", "-w", pcap.toString()))
                .redirectErrorStream(true).redirectOutput(err.toFile()).start();
        awaitTrue("tcpdump listening on the underlay", Duration.ofSeconds(10), () -> {
            try {
                return Files.readString(err).contains("listening on");
            } catch (IOException e) {
                return false;
            }
        });
        return capture;
    }

    /** The capture's packets matching a tcpdump filter, as tcpdump prints them (-nn). */
    protected List<String> readCapture(Path pcap, String filter) {
        Shell.Result r = shell.run(List.of("tcpdump", "-r", pcap.toString(), "-nn", filter), Map.of());
        assertThat(r.exitCode()).as("tcpdump -r: %s", r.stderr()).isZero();
        return r.stdout().lines().filter(l -> !l.isBlank()).toList();
    }

    /** Writes a line to the echo client and waits (at most 30 s) for what it printed back. */
    private static String exchange(Writer toClient, BufferedReader fromClient, String line) throws Exception {
        toClient.write(line + "\n");
        toClient.flush();
        return CompletableFuture.supplyAsync(() -> {
            try {
                return fromClient.readLine();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).get(30, TimeUnit.SECONDS);
    }

    private JsonNode probeQuietly() {
        try {
            return launcher.probe(80, "tcp", 1000);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    protected static List<String> failures(JsonNode probe) {
        List<String> failed = new ArrayList<>();
        for (JsonNode r : probe.path("results")) {
            if (!r.path("ok").asBoolean()) {
                failed.add(r.path("from").asString() + " -> " + r.path("to").asString());
            }
        }
        return failed;
    }

    /** The host namespace's iptables-save lines naming Trellis (chains, comments), without counters. */
    private Set<String> hostTrellisRules() {
        Set<String> lines = new TreeSet<>();
        for (String line : shell.check("iptables-save").split("\n")) {
            if (TRELLIS_RULE.matcher(line).find()) {
                lines.add(line.replaceAll("\\[\\d+:\\d+]", "[]"));
            }
        }
        return lines;
    }

    protected static boolean inCidr(String ip, String cidr) {
        String[] parts = cidr.split("/");
        int prefix = Integer.parseInt(parts[1]);
        long mask = prefix == 0 ? 0 : 0xffffffffL << (32 - prefix) & 0xffffffffL;
        return (toLong(ip) & mask) == (toLong(parts[0]) & mask);
    }

    private static long toLong(String ip) {
        long value = 0;
        for (String octet : ip.split("\\.")) {
            value = value << 8 | Integer.parseInt(octet);
        }
        return value;
    }

    protected static boolean alive(long pid) {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    protected static void awaitTrue(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
