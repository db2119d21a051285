package io.trellis.ovs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.client.OpenFlowClientConfig;
import io.trellis.ovs.openflow.message.FlowStats;
import io.trellis.ovs.openflow.message.FlowStatsRequest;
import io.trellis.ovs.testing.CommandResult;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.testing.Pod;
import io.trellis.ovs.transport.Backoff;
import io.trellis.ovs.transport.NettyTransport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The pipeline on a real OVS (userspace datapath) with one node and three pods. The sandbox netns
 * plays the node: it holds the gateway's internal port gw0 with the gateway IP. One sandbox serves
 * the whole class; each test starts from a fresh install of all three pods.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineIntegrationTest {
    private static final String BRIDGE = "br0";
    private static final int GATEWAY_PORT = 1;
    private static final OpenFlowClientConfig CONFIG = OpenFlowClientConfig.DEFAULT
            .withRequestTimeout(Duration.ofSeconds(10))
            .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), 2.0));
    private static final Pattern COUNTERS = Pattern.compile(" (duration|n_packets|n_bytes|idle_age|hard_age)=[^,]*,");
    private static final Pattern PING_SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    private final PipelineFlows flows = PipelineFlows.defaults();
    private OvsSandbox sandbox;
    private NettyTransport transport;
    private OpenFlowClient client;
    private PipelineInstaller installer;
    private String script;
    private NodeNetwork node;
    private Pod pa;
    private Pod pb;
    private Pod pc;
    private LocalPod a;
    private LocalPod b;
    private LocalPod c;
    private List<LocalPod> pods;

    @BeforeAll
    void up() throws IOException {
        sandbox = OvsSandbox.start();
        try {
            // The node sends no IPv6 (router solicitations would hit SpoofGuard's drop counter).
            sandbox.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
            sandbox.addBridge(BRIDGE);
            sandbox.vsctl("set-fail-mode", BRIDGE, "secure");
            sandbox.vsctl("add-port", BRIDGE, "gw0", "--", "set", "interface", "gw0", "type=internal",
                    "ofport_request=" + GATEWAY_PORT);
            assertThat(sandbox.vsctl("get", "interface", "gw0", "ofport").strip()).isEqualTo("" + GATEWAY_PORT);
            sandbox.exec("ip", "addr", "add", "10.20.0.1/24", "dev", "gw0");
            sandbox.exec("ip", "link", "set", "gw0", "up");
            String gatewayMac = sandbox.exec("cat", "/sys/class/net/gw0/address").strip();
            node = NodeNetwork.of(GATEWAY_PORT, "10.20.0.1", gatewayMac, "10.20.0.0/24");

            pa = sandbox.addPod(BRIDGE, "10.20.0.11/24", 11);
            pb = sandbox.addPod(BRIDGE, "10.20.0.12/24", 12);
            pc = sandbox.addPod(BRIDGE, "10.20.0.13/24", 13);
            for (Pod p : List.of(pa, pb, pc)) {
                sandbox.execIn(p.netns(), "ip", "route", "add", "default", "via", "10.20.0.1");
            }
            a = LocalPod.of("default/a", pa.ofport(), pa.ipv4(), pa.mac());
            b = LocalPod.of("default/b", pb.ofport(), pb.ipv4(), pb.mac());
            c = LocalPod.of("web/c", pc.ofport(), pc.ipv4(), pc.mac());
            pods = List.of(a, b, c);

            Path scriptFile = sandbox.runDir().resolve("nettool.py");
            try (InputStream in = getClass().getResourceAsStream("nettool.py")) {
                assertThat(in).as("test resource nettool.py").isNotNull();
                Files.write(scriptFile, in.readAllBytes());
            }
            script = scriptFile.toString();

            // An empty flow table, as a bridge created in fail_mode=secure has.
            sandbox.ofctl(BRIDGE, "del-flows");
            transport = new NettyTransport(1, "it-pipeline");
            client = connect();
            installer = new PipelineInstaller(client, flows);
        } catch (RuntimeException | IOException | AssertionError e) {
            down();
            throw e;
        }
    }

    @AfterAll
    void down() {
        try {
            if (client != null) {
                client.close();
            }
            if (transport != null) {
                transport.close();
            }
        } finally {
            if (sandbox != null) {
                sandbox.close();
            }
        }
    }

    @BeforeEach
    void freshInstall() {
        await(installer.install(node, pods));
    }

    // ------------------------------------------------------------------ tests

    @Test
    void flowsReadBackFromTheSwitchEqualTheDesiredSet() {
        FlowDiff diff = await(installer.diff(node, pods));
        assertThat(diff.isEmpty()).as("diff:\n%s", diff).isTrue();
        List<String> owned = await(installer.ownedFlows()).stream().map(FlowLine::toString).toList();
        assertThat(owned).containsExactlyElementsOf(PipelineFlowsTest.lines(flows.all(node, pods)));
        // ovs-ofctl's own reading of the whole bridge: nothing else is there, and the text agrees.
        assertThat(ofctlLines()).containsExactlyInAnyOrderElementsOf(owned);
    }

    @Test
    void podsReachEachOtherTheGatewayAndTheNode() {
        assertPing(pa, pb.ipv4());
        assertPing(pb, pa.ipv4());
        assertPing(pc, pa.ipv4());
        assertPing(pa, "10.20.0.1");
        CommandResult fromNode = sandbox.execResult(sandbox.netns(), List.of("ping", "-c", "1", "-W", "2", pc.ipv4()));
        assertThat(fromNode.exitCode()).as("node -> pod c: %s", fromNode).isZero();

        List<Process> servers = new ArrayList<>();
        try {
            servers.add(tcpServer(pb.netns(), pb.ipv4(), 8080, "pod-b"));
            servers.add(tcpServer(pa.netns(), pa.ipv4(), 8080, "pod-a"));
            servers.add(tcpServer(sandbox.netns(), "10.20.0.1", 8081, "node"));
            assertThat(tcpGet(pa, pb.ipv4(), 8080)).as("TCP pod a -> pod b").isEqualTo(served("pod-b"));
            assertThat(tcpGet(pb, pa.ipv4(), 8080)).as("TCP pod b -> pod a").isEqualTo(served("pod-a"));
            assertThat(tcpGet(pc, "10.20.0.1", 8081)).as("TCP pod c -> node").isEqualTo(served("node"));
        } finally {
            servers.forEach(PipelineIntegrationTest::stop);
        }
    }

    @Test
    void forgedSourceAddressesAreDroppedBySpoofGuard() throws IOException {
        long dropsBefore = spoofGuardDrops();
        Process sniffer = sandbox.spawn(pb.netns(), List.of("python3", script, "sniff", "eth0", "15"));
        try (BufferedReader out = new BufferedReader(new InputStreamReader(sniffer.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).as("sniffer in pod b started").isEqualTo("ready");
            List<String> frames = List.of(
                    // control: a's own addresses, delivered
                    Frames.udp(a.mac(), node.gatewayMac(), a.ip(), b.ip(), "LEGIT"),
                    // a's MAC with c's IP
                    Frames.udp(a.mac(), node.gatewayMac(), c.ip(), b.ip(), "FORGED-IP"),
                    // c's MAC with a's IP
                    Frames.udp(c.mac(), node.gatewayMac(), a.ip(), b.ip(), "FORGED-MAC"),
                    // a tells b that the gateway IP is at a's MAC (ARP poisoning)
                    Frames.arpReply(a.mac(), a.mac(), node.gatewayIp(), b.mac(), b.ip(), "FORGED-ARP"),
                    // control, last: the sniffer stops listening 1 s after it
                    Frames.udp(a.mac(), node.gatewayMac(), a.ip(), b.ip(), "END"));
            List<String> send = new ArrayList<>(List.of("python3", script, "send", "eth0"));
            send.addAll(frames);
            sandbox.execIn(pa.netns(), send.toArray(String[]::new));
            List<String> seen = new ArrayList<>();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                seen.add(line);
            }
            assertThat(seen).as("frames pod b received").containsExactlyInAnyOrder("LEGIT", "END");
        } finally {
            stop(sniffer);
        }
        // Datapath counters reach the OpenFlow rules with a delay: wait for the three drops.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        long drops = spoofGuardDrops() - dropsBefore;
        while (drops < 3 && System.nanoTime() < deadline) {
            sleep(100);
            drops = spoofGuardDrops() - dropsBefore;
        }
        assertThat(drops).as("packets counted by SpoofGuard's drop flow").isEqualTo(3);
    }

    @Test
    void reinstallByARestartedAgentDuringTrafficLosesNothingAndLeavesTheSameTable() {
        List<String> fresh = ofctlLines();
        assertPing(pa, pb.ipv4());
        Process probe = sandbox.spawn(pa.netns(), List.of("ping", "-q", "-n", "-i", "0.002", "-W", "1", "-c", "1500",
                pb.ipv4()));
        int restarts = 0;
        try {
            sleep(300);
            while (probe.isAlive() && restarts < 8) {
                // A restarted agent: a new connection, the same desired state, one bundle.
                try (OpenFlowClient agent = connect()) {
                    await(new PipelineInstaller(agent, flows).install(node, pods));
                }
                restarts++;
                sleep(200);
            }
            String output = waitFor(probe);
            Matcher m = PING_SUMMARY.matcher(output);
            assertThat(m.find()).as("ping summary in %s", output).isTrue();
            int sent = Integer.parseInt(m.group(1));
            int received = Integer.parseInt(m.group(2));
            assertThat(restarts).as("reinstalls while the probe ran").isGreaterThanOrEqualTo(3);
            assertThat(sent).isEqualTo(1500);
            assertThat(received).as("echo replies (of %d) across %d reinstalls", sent, restarts).isEqualTo(sent);
        } finally {
            stop(probe);
        }
        assertThat(ofctlLines()).as("flow table after the reinstalls").containsExactlyInAnyOrderElementsOf(fresh);
        assertThat(await(installer.diff(node, pods)).isEmpty()).isTrue();
    }

    @Test
    void restartWithFewerPodsRemovesStaleFlowsAndKeepsFlowsItDoesNotOwn() {
        sandbox.ofctl(BRIDGE, "add-flow", "table=100,cookie=0x99,priority=5,actions=drop");
        try {
            await(installer.install(node, List.of(a, b)));
            FlowDiff diff = await(installer.diff(node, List.of(a, b)));
            assertThat(diff.isEmpty()).as("diff:\n%s", diff).isTrue();
            List<String> expected = new ArrayList<>(PipelineFlowsTest.lines(flows.all(node, List.of(a, b))));
            expected.add("cookie=0x99, table=100, priority=5 actions=drop");
            assertThat(ofctlLines()).containsExactlyInAnyOrderElementsOf(expected);
            assertNoPing(pa, pc.ipv4());
            assertPing(pa, pb.ipv4());
        } finally {
            sandbox.ofctl(BRIDGE, "del-flows", "table=100,cookie=0x99/-1");
        }
    }

    @Test
    void removingAPodRemovesExactlyItsFlowsAndAddingItBackRestoresThem() {
        assertPing(pa, pc.ipv4());
        List<String> before = ownedLines();
        await(installer.removePod(c.ofport()));
        List<String> after = ownedLines();

        List<String> removed = new ArrayList<>(before);
        removed.removeAll(after);
        assertThat(removed).containsExactlyInAnyOrderElementsOf(PipelineFlowsTest.lines(flows.podFlows(node, c)));
        assertThat(after).containsExactlyInAnyOrderElementsOf(PipelineFlowsTest.lines(flows.all(node, List.of(a, b))));
        assertNoPing(pa, pc.ipv4());
        assertPing(pa, pb.ipv4());

        await(installer.addPod(node, c));
        assertThat(ownedLines()).containsExactlyInAnyOrderElementsOf(before);
        assertPing(pa, pc.ipv4());
    }

    // ------------------------------------------------------------------ helpers

    private OpenFlowClient connect() {
        OpenFlowClient c = new OpenFlowClient(transport, sandbox.bridgeEndpoint(BRIDGE), CONFIG);
        await(c.connect());
        return c;
    }

    private List<String> ownedLines() {
        return await(installer.ownedFlows()).stream().map(FlowLine::toString).toList();
    }

    /** Every flow of the bridge as ovs-ofctl prints it, counters removed. */
    private List<String> ofctlLines() {
        String dump = sandbox.ofctlWithOptions(List.of("-O", "OpenFlow15", "--no-names"), BRIDGE, "dump-flows");
        return dump.lines().skip(1).map(String::strip).filter(l -> !l.isEmpty())
                .map(l -> COUNTERS.matcher(l).replaceAll("")).toList();
    }

    private long spoofGuardDrops() {
        int table = flows.pipeline().table(PipelineStage.SPOOF_GUARD);
        List<FlowStats> stats = await(client.dumpFlows(FlowStatsRequest.table(table)));
        return stats.stream().filter(f -> f.priority() == 0).mapToLong(FlowStats::packetCount).sum();
    }

    private void assertPing(Pod from, String to) {
        CommandResult r = sandbox.execResult(from.netns(), List.of("ping", "-c", "1", "-W", "2", to));
        assertThat(r.exitCode()).as("ping %s -> %s: %s", from.ipv4(), to, r.stdout()).isZero();
    }

    private void assertNoPing(Pod from, String to) {
        CommandResult r = sandbox.execResult(from.netns(), List.of("ping", "-c", "1", "-W", "1", to));
        assertThat(r.exitCode()).as("ping %s -> %s should fail: %s", from.ipv4(), to, r.stdout()).isNotZero();
    }

    /** A TCP server in netns answering every connection with TEXT and filler; returns once it listens. */
    private Process tcpServer(String netns, String ip, int port, String text) {
        Process server = sandbox.spawn(netns, List.of("python3", script, "serve", ip, Integer.toString(port), text));
        try {
            String first = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(first).as("TCP server %s:%d in %s started", ip, port, netns).isEqualTo("ready");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return server;
    }

    /** What {@link #tcpGet} prints when the whole answer of a server started with TEXT arrived. */
    private static String served(String text) {
        return text + " bytes=" + (text.length() + 1 + 65536);
    }

    /** What a TCP client in pod {@code from} gets from ip:port: the server's first line and the byte count. */
    private String tcpGet(Pod from, String ip, int port) {
        CommandResult r = sandbox.execResult(from.netns(), List.of("python3", script, "connect", ip,
                Integer.toString(port), "5"));
        return r.succeeded() ? r.stdout().strip() : "failed: " + r.stderr().strip();
    }

    private static String waitFor(Process p) {
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("process did not finish within 60 s");
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void stop(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no result within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
