package io.trellis.ovs.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.client.OpenFlowClientConfig;
import io.trellis.ovs.pipeline.CookieScheme;
import io.trellis.ovs.pipeline.FlowLine;
import io.trellis.ovs.pipeline.LocalPod;
import io.trellis.ovs.pipeline.NodeNetwork;
import io.trellis.ovs.pipeline.Pipeline;
import io.trellis.ovs.pipeline.PipelineFlows;
import io.trellis.ovs.pipeline.PipelineInstaller;
import io.trellis.ovs.pipeline.ServiceFlows;
import io.trellis.ovs.testing.CommandResult;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.testing.Pod;
import io.trellis.ovs.transport.Backoff;
import io.trellis.ovs.transport.NettyTransport;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServicePort;
import io.trellis.spi.service.ServiceProxyException;
import io.trellis.spi.service.ServiceRef;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link OvsServiceProxy} on a real OVS (userspace datapath): one node (the sandbox netns, gateway
 * gw0), four endpoint pods serving TCP 8080 and 9090 and UDP 5353, and a client pod reaching the
 * Service {@code default/web} at 10.96.0.10 (TCP 80 → 8080, TCP 81 → 9090, UDP 53 → 5353). Every
 * answer names the endpoint that sent it; that the client gets answers at all shows the replies
 * were un-NATed (its socket would not take them from the endpoint's address). Each test starts
 * from a fresh pipeline install and a new proxy's first replaceAll.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OvsServiceProxyIntegrationTest {
    private static final String BRIDGE = "br0";
    private static final int GATEWAY_PORT = 1;
    private static final String CLUSTER_IP = "10.96.0.10";
    private static final ServiceRef WEB = new ServiceRef("default", "web");
    private static final OpenFlowClientConfig CONFIG = OpenFlowClientConfig.DEFAULT
            .withRequestTimeout(Duration.ofSeconds(10))
            .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), 2.0));
    private static final int CONNECTIONS = 60;

    private final PipelineFlows flows = new PipelineFlows(Pipeline.withServices(), CookieScheme.DEFAULT,
            PipelineFlows.DEFAULT_CT_ZONE);
    private OvsSandbox sandbox;
    private NettyTransport transport;
    private OpenFlowClient client;
    private PipelineInstaller installer;
    private OvsServiceProxy proxy;
    private String script;
    private NodeNetwork node;
    private Pod clientPod;
    /** Endpoint pods by the name their server answers with. */
    private final Map<String, Pod> endpoints = new TreeMap<>();
    private final List<LocalPod> pods = new ArrayList<>();
    private final List<Process> servers = new ArrayList<>();

    @BeforeAll
    void up() throws IOException {
        sandbox = OvsSandbox.start();
        try {
            sandbox.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
            sandbox.addBridge(BRIDGE);
            sandbox.vsctl("set-fail-mode", BRIDGE, "secure");
            sandbox.vsctl("add-port", BRIDGE, "gw0", "--", "set", "interface", "gw0", "type=internal",
                    "ofport_request=" + GATEWAY_PORT);
            sandbox.exec("ip", "addr", "add", "10.20.0.1/24", "dev", "gw0");
            sandbox.exec("ip", "link", "set", "gw0", "up");
            String gatewayMac = sandbox.exec("cat", "/sys/class/net/gw0/address").strip();
            node = NodeNetwork.of(GATEWAY_PORT, "10.20.0.1", gatewayMac, "10.20.0.0/24");

            Path scriptFile = sandbox.runDir().resolve("svctool.py");
            try (InputStream in = getClass().getResourceAsStream("svctool.py")) {
                assertThat(in).as("test resource svctool.py").isNotNull();
                Files.write(scriptFile, in.readAllBytes());
            }
            script = scriptFile.toString();

            int n = 11;
            for (String name : List.of("ep-a", "ep-b", "ep-c", "ep-d")) {
                Pod pod = sandbox.addPod(BRIDGE, "10.20.0." + n + "/24", n);
                endpoints.put(name, pod);
                pods.add(LocalPod.of("default/" + name, n, pod.ipv4(), pod.mac()));
                n++;
            }
            clientPod = sandbox.addPod(BRIDGE, "10.20.0.20/24", 20);
            pods.add(LocalPod.of("default/client", 20, clientPod.ipv4(), clientPod.mac()));
            for (Pod p : sandbox.pods()) {
                sandbox.execIn(p.netns(), "ip", "route", "add", "default", "via", "10.20.0.1");
            }
            endpoints.forEach((name, pod) -> servers.add(server(pod, name)));

            sandbox.ofctl(BRIDGE, "del-flows");
            transport = new NettyTransport(1, "it-services");
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
            servers.forEach(OvsServiceProxyIntegrationTest::stop);
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
        proxy = new OvsServiceProxy(client, ServiceFlows.of(flows), Duration.ofSeconds(10));
        proxy.replaceAll(List.of(web("ep-a", "ep-b", "ep-c")));
    }

    @AfterEach
    void noServicesLeft() {
        proxy.replaceAll(List.of());
        assertThat(serviceFlowLines()).as("service flows after replaceAll([])").isEmpty();
        assertThat(groupLines()).as("groups after replaceAll([])").isEmpty();
    }

    // ------------------------------------------------------------------ tests

    @Test
    void newConnectionsReachEveryEndpointOnEveryPortTcpAndUdp() {
        Map<String, Long> http = count(tcp(80, CONNECTIONS));
        assertThat(http.keySet()).as("TCP 80 answers: %s", http).containsExactlyInAnyOrder("ep-a 8080", "ep-b 8080",
                "ep-c 8080");
        Map<String, Long> alt = count(tcp(81, CONNECTIONS));
        assertThat(alt.keySet()).as("TCP 81 answers: %s", alt).containsExactlyInAnyOrder("ep-a 9090", "ep-b 9090",
                "ep-c 9090");
        Map<String, Long> dns = count(udp(53, CONNECTIONS));
        assertThat(dns.keySet()).as("UDP 53 answers: %s", dns).containsExactlyInAnyOrder("ep-a 5353", "ep-b 5353",
                "ep-c 5353");
        // One group per frontend, a bucket per endpoint.
        assertThat(groupLines()).hasSize(3).allSatisfy(g -> assertThat(g.split("bucket=", -1)).hasSize(4));
        // Other ports of the cluster IP go nowhere.
        assertThat(tcp(82, 1)).singleElement().asString().startsWith("failed");
    }

    @Test
    void anEstablishedConnectionKeepsItsEndpointWhenOneIsAddedAndNewOnesReachTheNewEndpoint() throws IOException {
        Process held = sandbox.spawn(clientPod.netns(), List.of("python3", script, "hold", CLUSTER_IP, "80"));
        try (BufferedReader out = reader(held);
                Writer in = new OutputStreamWriter(held.getOutputStream(), StandardCharsets.UTF_8)) {
            assertThat(out.readLine()).isEqualTo("connected");
            String first = ask(in, out);
            assertThat(first).matches("ep-[abc] 8080");

            proxy.upsert(web("ep-a", "ep-b", "ep-c", "ep-d"));
            assertThat(ask(in, out)).as("the held connection after ep-d was added").isEqualTo(first);
            Map<String, Long> after = count(tcp(80, CONNECTIONS));
            assertThat(after.keySet()).as("answers with ep-d: %s", after).containsExactlyInAnyOrder("ep-a 8080",
                    "ep-b 8080", "ep-c 8080", "ep-d 8080");
            assertThat(ask(in, out)).as("the held connection after 60 more").isEqualTo(first);
        } finally {
            stop(held);
        }
    }

    /**
     * A client's reset that conntrack calls invalid (here: a sequence number the connection never
     * had, as after an endpoint's TIME_WAIT answered the client's SYN with an old ACK, see
     * ServiceFlows#invalidResetMatch) goes on through the pipeline, and the agent deletes the
     * connection's entry. Without the flow and InvalidResetRecovery the reset is dropped and the entry stays.
     */
    @Test
    void anInvalidResetFromTheClientGoesOnAndItsConnectionsEntryIsDeleted() throws Exception {
        InvalidResetRecovery recovery = InvalidResetRecovery.attach(client, ServiceFlows.of(flows));
        Process held = sandbox.spawn(clientPod.netns(), List.of("python3", script, "hold", CLUSTER_IP, "80"));
        try (BufferedReader out = reader(held);
                Writer in = new OutputStreamWriter(held.getOutputStream(), StandardCharsets.UTF_8)) {
            assertThat(out.readLine()).isEqualTo("connected");
            assertThat(ask(in, out)).matches("ep-[abc] 8080");
            // Earlier tests leave closed entries (TIME_WAIT); the held connection is the one established.
            List<String> entries = entriesTo80().stream().filter(l -> l.contains("state=ESTABLISHED")).toList();
            assertThat(entries).as("the held connection's conntrack entry").hasSize(1);
            String sport = entries.get(0).replaceAll(".*orig=\\([^)]*sport=(\\d+).*", "$1");
            sandbox.execIn(clientPod.netns(), "python3", script, "rst", clientPod.ipv4(), sport, CLUSTER_IP, "80",
                    "12345");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!entriesFrom(sport).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(entriesFrom(sport)).as("entries of the held connection after its client's invalid reset")
                    .isEmpty();
            assertThat(recovery.flushed()).isEqualTo(1);
            assertThat(sandbox.ofctl(BRIDGE, "dump-flows", "table=4")).as("the reset went on")
                    .containsPattern("n_packets=1, .*priority=205,ct_state=\\+inv\\+trk,tcp,tcp_flags=\\+rst");
        } finally {
            stop(held);
            recovery.close();
        }
    }

    @Test
    void aRemovedOrUnreadyEndpointGetsNoNewConnections() {
        proxy.upsert(web("ep-a", "ep-c"));
        Map<String, Long> answers = count(tcp(80, CONNECTIONS));
        assertThat(answers.keySet()).as("answers without ep-b: %s", answers).containsExactlyInAnyOrder("ep-a 8080",
                "ep-c 8080");

        // ep-c still listed, but not ready.
        proxy.upsert(service(List.of(endpoint("ep-a", true), endpoint("ep-c", false))));
        assertThat(count(tcp(80, 20)).keySet()).containsExactly("ep-a 8080");
        assertThat(count(udp(53, 10)).keySet()).containsExactly("ep-a 5353");
    }

    @Test
    void udpFromOneSourcePortLeavesARemovedEndpoint() {
        proxy.upsert(web("ep-a", "ep-b", "ep-c", "ep-d"));
        List<String> before = udpFrom(40053, 3);
        assertThat(count(before)).as("one conntrack entry, one endpoint: %s", before).hasSize(1);
        String pinned = before.get(0).split(" ")[0];
        List<String> rest = new ArrayList<>(List.of("ep-a", "ep-b", "ep-c", "ep-d"));
        rest.remove(pinned);
        // The removed endpoint still runs and would answer: only a flushed entry moves the client.
        proxy.upsert(web(rest.toArray(String[]::new)));
        List<String> after = udpFrom(40053, 3);
        assertThat(count(after)).as("after removing %s: %s", pinned, after).hasSize(1);
        assertThat(after.get(0)).doesNotStartWith(pinned + " ");
        // Removing another endpoint leaves the client where it is (only the removed one's entries go).
        String kept = after.get(0).split(" ")[0];
        rest.remove(rest.stream().filter(n -> !n.equals(kept)).findFirst().orElseThrow());
        proxy.upsert(web(rest.toArray(String[]::new)));
        assertThat(udpFrom(40053, 2)).containsOnly(after.get(0));
    }

    @Test
    void withoutEndpointsNewConnectionsFailAndComeBackWithThem() {
        proxy.upsert(service(List.of()));
        assertThat(tcp(80, 2)).allSatisfy(l -> assertThat(l).startsWith("failed"));
        assertThat(udp(53, 2)).allSatisfy(l -> assertThat(l).startsWith("failed"));
        proxy.upsert(web("ep-b"));
        assertThat(count(tcp(80, 5)).keySet()).containsExactly("ep-b 8080");
    }

    @Test
    void removingTheServiceRemovesItsFlowsAndGroups() {
        assertThat(serviceFlowLines()).isNotEmpty();
        proxy.remove(WEB);
        assertThat(serviceFlowLines()).isEmpty();
        assertThat(groupLines()).isEmpty();
        assertThat(tcp(80, 1)).singleElement().asString().startsWith("failed");
        proxy.remove(WEB); // unknown now: not an error
        // The pod pipeline is untouched.
        assertThat(await(installer.diff(node, pods)).isEmpty()).isTrue();
    }

    @Test
    void aRestartedProxyConvergesWithoutCuttingAnEstablishedConnection() throws IOException {
        proxy.upsert(web("ep-a", "ep-b", "ep-c", "ep-d"));
        List<String> before = serviceFlowLines();
        List<String> groupsBefore = groupLines();
        Process held = sandbox.spawn(clientPod.netns(), List.of("python3", script, "hold", CLUSTER_IP, "81"));
        try (BufferedReader out = reader(held);
                Writer in = new OutputStreamWriter(held.getOutputStream(), StandardCharsets.UTF_8)) {
            assertThat(out.readLine()).isEqualTo("connected");
            String first = ask(in, out);
            // A new agent: new connection, new proxy; the switch still holds the old groups and flows.
            OvsServiceProxy restarted;
            try (OpenFlowClient agent = connect()) {
                restarted = new OvsServiceProxy(agent, ServiceFlows.of(flows), Duration.ofSeconds(10));
                restarted.replaceAll(List.of(web("ep-a", "ep-b", "ep-c", "ep-d")));
                assertThat(serviceFlowLines()).isEqualTo(before);
                assertThat(groupLines()).isEqualTo(groupsBefore);
                assertThat(ask(in, out)).as("held connection after the restarted proxy's replaceAll").isEqualTo(first);
                assertThat(count(tcp(81, 40)).keySet()).hasSize(4);
            }
            // Its connection is closed now: an unchanged Service sends nothing and succeeds, a changed
            // one has to talk to OVS and fails, naming the Service.
            restarted.upsert(web("ep-d", "ep-c", "ep-b", "ep-a"));
            assertThatThrownBy(() -> restarted.upsert(web("ep-a")))
                    .isInstanceOf(ServiceProxyException.class).hasMessageContaining("service default/web");
            assertThat(serviceFlowLines()).isEqualTo(before);
        } finally {
            stop(held);
        }
    }

    @Test
    void fullPipelineReinstallsKeepServicesWorkingWhenTheProxySharesTheInstaller() throws IOException {
        PipelineInstaller shared = new PipelineInstaller(client, flows);
        OvsServiceProxy sharing = OvsServiceProxy.sharing(shared, Duration.ofSeconds(10));
        sharing.replaceAll(List.of(web("ep-a", "ep-b", "ep-c")));
        List<String> flowsBefore = serviceFlowLines();
        List<String> groupsBefore = groupLines();
        assertThat(groupsBefore).hasSize(3);
        Process held = sandbox.spawn(clientPod.netns(), List.of("python3", script, "hold", CLUSTER_IP, "80"));
        try (BufferedReader out = reader(held);
                Writer in = new OutputStreamWriter(held.getOutputStream(), StandardCharsets.UTF_8)) {
            assertThat(out.readLine()).isEqualTo("connected");
            String first = ask(in, out);

            // New connections one after the other while the whole pipeline is reinstalled again and again.
            Process load = sandbox.spawn(clientPod.netns(), List.of("python3", script, "connect", CLUSTER_IP, "80",
                    "300"));
            int installs = 0;
            while (load.isAlive()) {
                // Both full installs the pod driver uses: at start / resync without overlay, and the plain one.
                await(installs % 2 == 0 ? shared.install(node, pods) : shared.installKeepingOverlay(node, pods));
                installs++;
            }
            List<String> answers = reader(load).lines().toList();
            assertThat(installs).as("full installs during the connections").isGreaterThanOrEqualTo(5);
            assertThat(answers).hasSize(300);
            assertThat(count(answers).keySet()).as("answers across %d reinstalls", installs)
                    .containsExactlyInAnyOrder("ep-a 8080", "ep-b 8080", "ep-c 8080");
            assertThat(ask(in, out)).as("held connection after the reinstalls").isEqualTo(first);
            assertThat(serviceFlowLines()).isEqualTo(flowsBefore);
            assertThat(groupLines()).isEqualTo(groupsBefore);
            assertThat(await(shared.diff(node, pods)).isEmpty()).as("owned flows = pipeline + services").isTrue();

            // Changes after a reinstall are diffs on what the install wrote.
            sharing.upsert(web("ep-b", "ep-d"));
            await(shared.install(node, pods));
            assertThat(count(tcp(80, 30)).keySet()).containsExactlyInAnyOrder("ep-b 8080", "ep-d 8080");
            assertThat(groupLines()).hasSize(3);

            // What sharing the bundle avoids: an install that does not know the Services drops their flows.
            await(installer.install(node, pods));
            assertThat(serviceFlowLines()).isEmpty();
            assertThat(tcp(80, 1)).singleElement().asString().startsWith("failed");
        } finally {
            stop(held);
            sharing.replaceAll(List.of());
        }
    }

    // ------------------------------------------------------------------ model

    private Service web(String... names) {
        List<ServiceEndpoint> eps = new ArrayList<>();
        for (String name : names) {
            eps.add(endpoint(name, true));
        }
        return service(eps);
    }

    private static Service service(List<ServiceEndpoint> eps) {
        return new Service(WEB, List.of(address(CLUSTER_IP)),
                List.of(new ServicePort("http", Protocol.TCP, 80, OptionalInt.empty()),
                        new ServicePort("alt", Protocol.TCP, 81, OptionalInt.empty()),
                        new ServicePort("dns", Protocol.UDP, 53, OptionalInt.empty())),
                eps);
    }

    private ServiceEndpoint endpoint(String name, boolean ready) {
        return new ServiceEndpoint(address(endpoints.get(name).ipv4()),
                List.of(new EndpointPort("http", Protocol.TCP, 8080), new EndpointPort("alt", Protocol.TCP, 9090),
                        new EndpointPort("dns", Protocol.UDP, 5353)),
                ready, Optional.empty());
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    // ------------------------------------------------------------------ traffic

    private Process server(Pod pod, String name) {
        Process p = sandbox.spawn(pod.netns(), List.of("python3", script, "serve", name, pod.ipv4(), "8080", "9090",
                "5353"));
        try {
            assertThat(reader(p).readLine()).as("server %s started", name).isEqualTo("ready");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    private List<String> tcp(int port, int count) {
        return run("connect", port, count);
    }

    private List<String> udp(int port, int count) {
        return run("udp", port, count);
    }

    private List<String> udpFrom(int sourcePort, int count) {
        CommandResult r = sandbox.execResult(clientPod.netns(), List.of("python3", script, "udpfrom", CLUSTER_IP, "53",
                Integer.toString(count), Integer.toString(sourcePort)));
        assertThat(r.exitCode()).as("udpfrom: %s", r).isZero();
        return r.stdout().lines().toList();
    }

    private List<String> run(String mode, int port, int count) {
        CommandResult r = sandbox.execResult(clientPod.netns(), List.of("python3", script, mode, CLUSTER_IP,
                Integer.toString(port), Integer.toString(count)));
        assertThat(r.exitCode()).as("%s %d: %s", mode, port, r).isZero();
        List<String> lines = r.stdout().lines().toList();
        assertThat(lines).as("%s %d answers", mode, port).hasSize(count);
        return lines;
    }

    private static Map<String, Long> count(List<String> answers) {
        assertThat(answers).noneMatch(a -> a.startsWith("failed"));
        return answers.stream().collect(Collectors.groupingBy(a -> a, TreeMap::new, Collectors.counting()));
    }

    private static String ask(Writer in, BufferedReader out) throws IOException {
        in.write("again\n");
        in.flush();
        return out.readLine();
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ switch state

    private OpenFlowClient connect() {
        OpenFlowClient c = new OpenFlowClient(transport, sandbox.bridgeEndpoint(BRIDGE), CONFIG);
        await(c.connect());
        return c;
    }

    private List<String> serviceFlowLines() {
        CookieScheme cookies = flows.cookies();
        return await(installer.ownedFlows()).stream()
                .filter(l -> (l.cookie() & cookies.kindMask()) == cookies.servicesValue())
                .map(FlowLine::toString).toList();
    }

    /** The conntrack entries of TCP connections from the client pod to the cluster IP's port 80. */
    private List<String> entriesTo80() {
        return sandbox.appctlVswitchd("dpctl/dump-conntrack").lines()
                .filter(l -> l.startsWith("tcp,orig=(src=" + clientPod.ipv4() + ",dst=" + CLUSTER_IP + ","))
                .filter(l -> l.contains("dport=80)")).toList();
    }

    /** Those of {@link #entriesTo80()} from the client's source port {@code sport}. */
    private List<String> entriesFrom(String sport) {
        return entriesTo80().stream().filter(l -> l.contains(",sport=" + sport + ",dport=80)")).toList();
    }

    private List<String> groupLines() {
        String dump = sandbox.ofctl(BRIDGE, "dump-groups");
        return dump.lines().skip(1).map(String::strip).filter(l -> !l.isEmpty()).sorted().toList();
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
}
