package io.trellis.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.lab.LabState.NodeState;
import io.trellis.lab.kubelet.PodSandbox;
import io.trellis.lab.node.LabNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
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
 * The multi-node lab end to end, as root, through `./trellis lab`: three nodes on one underlay, the controller
 * allocating their pod CIDRs, samples/xyz-pods.yaml spread over them; the full reachability matrix with the
 * underlay captured (Geneve only), a 1 MiB transfer across nodes, node removal and re-addition, a controller
 * restart and an agent killed and restarted under traffic; `down` leaves nothing behind. One lab for the
 * whole class (the tests run in order and build on each other). Fails without root, OVS, tcpdump, python3 or
 * a built tree.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabMultiNodeTest {
    private static final int NODES = 3;
    private static final Pattern GENEVE = Pattern.compile(
            "IP (10\\.250\\.0\\.\\d+)\\.\\d+ > (10\\.250\\.0\\.\\d+)\\.6081: Geneve.*IP (10\\.244\\.\\d+\\.\\d+)\\.\\d+ > "
                    + "(10\\.244\\.\\d+\\.\\d+)\\.\\d+");
    /** How soon a Node change must show on the other nodes ("within a few seconds"). */
    private static final Duration NODE_CHANGE = Duration.ofSeconds(10);
    /** The agent-restart test tolerates at most this share of lost pings (1 %). */
    private static final double MAX_PING_LOSS = 0.01;

    private final Path home = Path.of("").toAbsolutePath().getParent();
    private final Shell shell = new Shell();
    private Path labDir;
    private LabLauncher launcher;
    private LabState state;
    /** Pod key (NS/POD) → where it runs. */
    private Map<String, PodPlace> pods;

    private record PodPlace(String node, String ip, String netns) {
    }

    private record Pair(String from, String to) {
    }

    @BeforeAll
    void up() throws Exception {
        labDir = Files.createTempDirectory(Path.of("/tmp"), "tlabmn");
        launcher = new LabLauncher(home, labDir);
        launcher.check("up", "--nodes", Integer.toString(NODES));
        state = LabState.load(labDir.resolve("lab.json")).orElseThrow();
    }

    @AfterAll
    void down() throws Exception {
        if (labDir != null && Files.exists(labDir)) {
            launcher.run("down");
        }
    }

    @Test
    @Order(1)
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
        assertThat(apply.stdout()).contains("9 pod(s) running");
        pods = pods();
        assertThat(pods).hasSize(9);
        Map<String, Integer> perNode = new TreeMap<>();
        pods.values().forEach(p -> perNode.merge(p.node(), 1, Integer::sum));
        assertThat(perNode).as("pods per node").isEqualTo(Map.of("node-1", 3, "node-2", 3, "node-3", 3));
        for (PodPlace pod : pods.values()) {
            assertThat(inCidr(pod.ip(), cidrs.get(pod.node()))).as("%s in %s", pod, cidrs.get(pod.node())).isTrue();
        }
    }

    @Test
    @Order(2)
    void allPairsReachEachOtherOnTcpAndUdpAndTheUnderlayCarriesOnlyGeneve() throws Exception {
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
        assertThat(tcp.path("results")).hasSize(72);
        assertThat(failures(udp)).as("udp/81 failures").isEmpty();
        assertThat(udp.path("results")).hasSize(72);

        // Every ordered pair of nodes exchanged Geneve packets carrying pod-to-pod packets...
        Set<String> nodeIps = new TreeSet<>(state.nodes().stream().map(NodeState::internalIp).toList());
        Set<Pair> tunnelled = new HashSet<>();
        for (String line : readCapture(pcap, "udp port 6081")) {
            Matcher m = GENEVE.matcher(line);
            if (m.find()) {
                tunnelled.add(new Pair(m.group(1), m.group(2)));
            }
        }
        Set<Pair> expected = new HashSet<>();
        for (String a : nodeIps) {
            for (String b : nodeIps) {
                if (!a.equals(b)) {
                    expected.add(new Pair(a, b));
                }
            }
        }
        assertThat(tunnelled).as("node pairs with Geneve-encapsulated pod traffic").isEqualTo(expected);
        // ... and nothing else went over IPv4 on the underlay: no pod address in the clear, no other protocol.
        assertThat(readCapture(pcap, "ip and net 10.244.0.0/16")).as("pod packets not encapsulated").isEmpty();
        assertThat(readCapture(pcap, "ip and not udp port 6081")).as("other IPv4 packets on the underlay").isEmpty();
    }

    @Test
    @Order(3)
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
            var serverOut = new java.io.BufferedReader(new java.io.InputStreamReader(serverProcess.getInputStream(),
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
    @Order(4)
    void aRemovedNodeLosesItsTunnelsAndARecreatedOneIsReconnected() throws Exception {
        String cidr3 = lab().podCidrs().get("node-3");
        NodeState node3 = state.node("node-3").orElseThrow();
        assertThat(flows("node-1")).contains("nw_dst=" + cidr3);
        assertThat(flows("node-2")).contains("nw_dst=" + cidr3);
        assertThat(routes("node-1")).contains(cidr3 + " via ");

        try (KubernetesClient client = lab().client()) {
            assertThat(client.nodes().withName("node-3").delete()).isNotEmpty();
        }
        awaitTrue("node-3's pod CIDR " + cidr3 + " gone from node-1's and node-2's flows", NODE_CHANGE,
                () -> !flows("node-1").contains(cidr3) && !flows("node-2").contains(cidr3));
        awaitTrue("node-1's gateway route to " + cidr3 + " gone", NODE_CHANGE, () -> !routes("node-1").contains(cidr3));
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
        awaitTrue("node-3's pod CIDR back in node-1's and node-2's flows", NODE_CHANGE,
                () -> flows("node-1").contains("nw_dst=" + cidr3) && flows("node-2").contains("nw_dst=" + cidr3));
        awaitTrue("node-1's gateway route to " + cidr3 + " back", NODE_CHANGE,
                () -> routes("node-1").contains(cidr3 + " via "));
        awaitTrue("all 72 pairs reachable again", NODE_CHANGE, () -> failures(probeQuietly()).isEmpty());
    }

    @Test
    @Order(5)
    void aRestartedControllerKeepsTheAllocationsAndAllocatesFreshOnes() throws Exception {
        Map<String, String> before = lab().podCidrs();
        assertThat(before).hasSize(NODES);
        long pid = currentState().controllerPid();
        ProcessHandle controller = ProcessHandle.of(pid).orElseThrow();
        controller.destroyForcibly();   // SIGKILL: no orderly Lease release
        assertThat(controller.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();

        LabLauncher.Run restart = launcher.check("restart", "controller");
        assertThat(restart.stdout()).contains("controller restarted");
        long newPid = currentState().controllerPid();
        assertThat(newPid).isNotEqualTo(pid);
        assertThat(ProcessHandle.of(newPid).map(ProcessHandle::isAlive)).contains(true);
        assertThat(lab().podCidrs()).isEqualTo(before);
        assertThat(launcher.check("logs", "controller").stdout())
                .contains(NODES + " node pod CIDRs of cluster CIDR 10.244.0.0/16 already in use");

        Node extra = new NodeBuilder().withNewMetadata().withName("node-extra").endMetadata().withNewSpec().endSpec()
                .build();
        try (KubernetesClient client = lab().client()) {
            client.nodes().resource(extra).create();
            try {
                awaitTrue("node-extra gets a pod CIDR", NODE_CHANGE, () -> lab().podCidrs().containsKey("node-extra"));
                String fresh = lab().podCidrs().get("node-extra");
                assertThat(fresh).matches("10\\.244\\.\\d+\\.0/24");
                assertThat(before.values()).doesNotContain(fresh);
                assertThat(lab().podCidrs()).containsAllEntriesOf(before);
            } finally {
                client.nodes().withName("node-extra").delete();
            }
        }
    }

    @Test
    @Order(6)
    void trafficAcrossNodesSurvivesAnAgentKilledAndRestarted() throws Exception {
        String from = podOn("node-1");
        String to = podOn("node-2");
        List<String> flowsBefore = normalizedFlows("node-1");
        long agentPid = currentState().node("node-1").orElseThrow().agentPid();
        ProcessHandle agent = ProcessHandle.of(agentPid).orElseThrow();

        // 50 pings a second from a node-1 pod to a node-2 pod, from before the kill until after the restart.
        Path pingOut = labDir.resolve("ping.out");
        Process ping = new ProcessBuilder(inPod(from, "ping", "-q", "-i", "0.02", "-W", "1", "-w", "120",
                pods.get(to).ip())).redirectErrorStream(true).redirectOutput(pingOut.toFile()).start();
        try {
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
        } finally {
            ping.destroyForcibly();
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
        assertThat(normalizedFlows("node-1")).as("node-1's flows after the restart").isEqualTo(flowsBefore);
        assertThat(failures(launcher.probe(80, "tcp", 3000))).isEmpty();
    }

    @Test
    @Order(7)
    void downLeavesNothingBehind() throws Exception {
        LabState now = currentState();
        List<Long> pids = new ArrayList<>(List.of(now.apiServerPid(), now.controllerPid(), now.daemonPid()));
        for (NodeState node : now.nodes()) {
            pids.add(node.agentPid());
            Path ovs = labDir.resolve("nodes").resolve(node.name()).resolve("ovs");
            pids.add(Processes.readPidFile(ovs.resolve("ovsdb-server.pid")));
            pids.add(Processes.readPidFile(ovs.resolve("ovs-vswitchd.pid")));
        }
        assertThat(pids).hasSize(3 + 3 * NODES)
                .allSatisfy(pid -> assertThat(alive(pid)).as("pid %d before down", pid).isTrue());

        LabLauncher.Run down = launcher.check("down");
        // The underlay, the outside client, the nodes and the 9 pods.
        assertThat(down.stdout()).contains("deleted " + (2 + NODES + 9) + " network namespace(s)");
        assertThat(shell.namespaces()).noneMatch(ns -> ns.startsWith(now.prefix()));
        assertThat(shell.check("ip", "-o", "link", "show")).doesNotContain(now.prefix());
        assertThat(pids).allSatisfy(pid -> assertThat(alive(pid)).as("pid %d after down", pid).isFalse());
        assertThat(new Processes(labDir).labProcesses()).isEmpty();
        assertThat(labDir).doesNotExist();
    }

    // ------------------------------------------------------------------ helpers

    private Lab lab() {
        return new Lab(new LabPaths(labDir), new PrintStream(OutputStream.nullOutputStream()));
    }

    private LabState currentState() {
        return LabState.load(labDir.resolve("lab.json")).orElseThrow();
    }

    private Map<String, PodPlace> pods() {
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

    private String podOn(String node) {
        return pods.entrySet().stream().filter(e -> e.getValue().node().equals(node)).map(Map.Entry::getKey)
                .findFirst().orElseThrow();
    }

    private List<String> inPod(String pod, String... command) {
        return Shell.inNetns(pods.get(pod).netns(), command);
    }

    /** br-int's flow table on a node, as ovs-ofctl prints it. */
    private String flows(String node) {
        NodeState n = state.node(node).orElseThrow();
        String mgmt = "unix:" + labDir.resolve("nodes").resolve(node).resolve("ovs").resolve("br-int.mgmt");
        return shell.check(Shell.inNetns(n.netns(), "ovs-ofctl", "-O", "OpenFlow15", "dump-flows", mgmt), Map.of());
    }

    /** The node namespace's IPv4 routes (the agent's gateway routes to remote pod CIDRs among them). */
    private String routes(String node) {
        return shell.check("ip", "-n", state.node(node).orElseThrow().netns(), "-4", "route", "show");
    }

    /**
     * The flows without their counters and ages, sorted: what must be equal after an agent restart.
     * The NetworkPolicy stages' generation flows (priority 260, a ct_mark bit that each agent run
     * starts at random and moves on every policy change, see PolicyFlows#generationFlows) keep
     * their place with the bit blanked.
     */
    private List<String> normalizedFlows(String node) {
        return flows(node).lines().filter(l -> l.contains("cookie="))
                .map(l -> l.replaceAll("\\b(duration|n_packets|n_bytes|idle_age|hard_age)=[^,]*, ?", "").strip())
                .map(l -> l.replaceAll("(priority=260,ct_state=-trk,ct_mark=)0x[0-9a-f]+/0x[0-9a-f]+", "$1GENERATION"))
                .sorted().toList();
    }

    private Process startCapture(Path pcap) throws IOException, InterruptedException {
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

    private List<String> readCapture(Path pcap, String filter) {
        Shell.Result r = shell.run(List.of("tcpdump", "-r", pcap.toString(), "-nn", filter), Map.of());
        assertThat(r.exitCode()).as("tcpdump -r: %s", r.stderr()).isZero();
        return r.stdout().lines().filter(l -> !l.isBlank()).toList();
    }

    private JsonNode probeQuietly() {
        try {
            return launcher.probe(80, "tcp", 1000);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> failures(JsonNode probe) {
        List<String> failed = new ArrayList<>();
        for (JsonNode r : probe.path("results")) {
            if (!r.path("ok").asBoolean()) {
                failed.add(r.path("from").asString() + " -> " + r.path("to").asString());
            }
        }
        return failed;
    }

    private static boolean inCidr(String ip, String cidr) {
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

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void awaitTrue(String what, Duration timeout, BooleanSupplier condition) {
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
