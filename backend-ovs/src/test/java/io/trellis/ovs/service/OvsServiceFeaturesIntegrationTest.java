package io.trellis.ovs.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.client.OpenFlowClientConfig;
import io.trellis.ovs.pipeline.CookieScheme;
import io.trellis.ovs.pipeline.LocalPod;
import io.trellis.ovs.pipeline.NodeNetwork;
import io.trellis.ovs.pipeline.Pipeline;
import io.trellis.ovs.pipeline.PipelineFlows;
import io.trellis.ovs.pipeline.PipelineInstaller;
import io.trellis.ovs.testing.CommandResult;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.testing.Pod;
import io.trellis.ovs.transport.Backoff;
import io.trellis.ovs.transport.NettyTransport;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.ClientIpAffinity;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServicePort;
import io.trellis.spi.service.ServiceRef;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * ClientIP session affinity, hairpin and reject of {@link OvsServiceProxy} on a real OVS (userspace
 * datapath), through real connections: one node (the sandbox netns, gateway gw0), four endpoint
 * pods serving TCP 8080 and UDP 5353 (each answer names the endpoint), a client pod, the Service
 * {@code default/web} at 10.96.0.10 (TCP 80 → 8080, UDP 53 → 5353). The proxy shares the pipeline
 * installer, as in the agent, so its {@link ServiceRejector} answers reject packet-ins.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OvsServiceFeaturesIntegrationTest {
    private static final String BRIDGE = "br0";
    private static final int GATEWAY_PORT = 1;
    private static final String CLUSTER_IP = "10.96.0.10";
    private static final ServiceRef WEB = new ServiceRef("default", "web");
    private static final OpenFlowClientConfig CONFIG = OpenFlowClientConfig.DEFAULT
            .withRequestTimeout(Duration.ofSeconds(10))
            .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), 2.0));
    /** Short, so that expiry can be watched. */
    private static final int AFFINITY_SECONDS = 2;

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
            transport = new NettyTransport(1, "it-service-features");
            client = new OpenFlowClient(transport, sandbox.bridgeEndpoint(BRIDGE), CONFIG);
            await(client.connect());
            installer = new PipelineInstaller(client, flows);
            proxy = OvsServiceProxy.sharing(installer, Duration.ofSeconds(10));
            await(installer.install(node, pods));
            proxy.replaceAll(List.of());
        } catch (RuntimeException | IOException | AssertionError e) {
            down();
            throw e;
        }
    }

    @AfterAll
    void down() {
        try {
            servers.forEach(OvsServiceFeaturesIntegrationTest::stop);
            proxy.rejector().ifPresent(ServiceRejector::close);
            proxy.invalidResetRecovery().ifPresent(InvalidResetRecovery::close);
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

    @AfterEach
    void noServicesLeft() {
        proxy.replaceAll(List.of());
        assertThat(sandbox.ofctl(BRIDGE, "dump-flows", "table=9").lines().filter(l -> l.contains("cookie=0x747206")))
                .as("learned affinity flows after replaceAll([])").isEmpty();
    }

    // ------------------------------------------------------------------ session affinity

    /**
     * Endpoint changes keep a client on its endpoint until that endpoint leaves. A timeout long enough
     * that nothing expires during the test, also on a loaded machine (with a 2 s one, a pause between
     * two steps under load could expire the affinity and look like a change re-balancing the client).
     */
    @Test
    void clientIpAffinityPinsAClientToOneEndpointAcrossEndpointChanges() {
        Optional<ClientIpAffinity> affinity = Optional.of(new ClientIpAffinity(60));
        proxy.replaceAll(List.of(web(affinity, "ep-a", "ep-b", "ep-c")));
        Set<String> tcp = answers(clientPod, "connect", 80, 30);
        assertThat(tcp).as("30 TCP connections of one client; %s", debugTables()).hasSize(1);
        String pinned = tcp.iterator().next();
        assertThat(answers(clientPod, "udp", 53, 10)).as("10 UDP flows of one client").hasSize(1);
        String learned = sandbox.ofctl(BRIDGE, "dump-flows", "table=9");
        assertThat(learned).as("learned flows: %s", learned).contains("idle_timeout=60").contains("nw_src=10.20.0.20");

        // An endpoint change keeps the affinity (as kube-proxy's): the learned flows are not rewritten.
        proxy.upsert(web(affinity, "ep-a", "ep-b", "ep-c", "ep-d"));
        assertThat(answers(clientPod, "connect", 80, 15)).as("after ep-d joined; %s", debugTables())
                .containsExactly(pinned);

        // Its endpoint leaves: the client is pinned to another one.
        String leaving = pinned.split(" ")[0];
        List<String> rest = new ArrayList<>(List.of("ep-a", "ep-b", "ep-c", "ep-d"));
        rest.remove(leaving);
        proxy.upsert(web(affinity, rest.toArray(String[]::new)));
        Set<String> after = answers(clientPod, "connect", 80, 15);
        assertThat(after).as("after %s left", leaving).hasSize(1).doesNotContain(pinned);

        // Without affinity the same client spreads again.
        proxy.upsert(web(Optional.empty(), "ep-a", "ep-b", "ep-c"));
        assertThat(answers(clientPod, "connect", 80, 40)).hasSize(3);
    }

    /** After the timeout without new connections a client is balanced again, and its learned flows go. */
    @Test
    void clientIpAffinityEndsAfterTheTimeout() throws InterruptedException {
        proxy.replaceAll(List.of(web(Optional.of(new ClientIpAffinity(AFFINITY_SECONDS)), "ep-a", "ep-b", "ep-c")));
        Set<String> first = answers(clientPod, "connect", 80, 10);
        assertThat(first).as("10 TCP connections of one client; %s", debugTables()).hasSize(1);
        assertThat(sandbox.ofctl(BRIDGE, "dump-flows", "table=9")).contains("idle_timeout=" + AFFINITY_SECONDS);

        // Over a few expiries it meets more than one endpoint (each round pinned to one).
        Set<String> seen = new LinkedHashSet<>(first);
        for (int round = 0; round < 12 && seen.size() < 2; round++) {
            Thread.sleep(AFFINITY_SECONDS * 1000L + 1500);
            Set<String> pinnedThisRound = answers(clientPod, "connect", 80, 3);
            assertThat(pinnedThisRound).as("round %d", round).hasSize(1);
            seen.addAll(pinnedThisRound);
        }
        assertThat(seen).as("endpoints met over the expiries").hasSizeGreaterThan(1);
        Thread.sleep(AFFINITY_SECONDS * 1000L + 1500);
        assertThat(sandbox.ofctl(BRIDGE, "dump-flows", "table=9").lines().filter(l -> l.contains("nw_src=")))
                .as("learned flows after the timeout").isEmpty();
    }

    /**
     * Full installs (the driver's resync after a reconnect, a reinstall) keep the learned affinity
     * flows of Services that still have affinity: the client stays on its endpoint. A timeout long
     * enough that nothing expires during the test.
     */
    @Test
    void fullInstallsKeepTheLearnedAffinities() {
        Optional<ClientIpAffinity> affinity = Optional.of(new ClientIpAffinity(60));
        proxy.replaceAll(List.of(web(affinity, "ep-a", "ep-b", "ep-c")));
        Set<String> tcp = answers(clientPod, "connect", 80, 20);
        assertThat(tcp).as("20 TCP connections of one client; %s", debugTables()).hasSize(1);
        String pinned = tcp.iterator().next();
        List<String> learned = learnedFlows();
        assertThat(learned).as("learned flows").anySatisfy(l -> assertThat(l).contains("nw_src=10.20.0.20"));

        await(installer.install(node, pods));
        assertThat(learnedFlows()).as("learned flows after a full install").isEqualTo(learned);
        await(installer.installKeepingOverlay(node, pods));
        assertThat(learnedFlows()).as("learned flows after an overlay-keeping full install").isEqualTo(learned);
        assertThat(await(installer.diff(node, pods)).isEmpty()).as("owned flows apart from the learned = desired")
                .isTrue();
        assertThat(answers(clientPod, "connect", 80, 15)).as("after the full installs").containsExactly(pinned);

        // A changed timeout still starts the clients over, a full install does not bring them back.
        proxy.upsert(web(Optional.of(new ClientIpAffinity(61)), "ep-a", "ep-b", "ep-c"));
        assertThat(learnedFlows()).as("learned flows after the timeout changed").isEmpty();
        await(installer.install(node, pods));
        assertThat(learnedFlows()).isEmpty();
    }

    /**
     * The timeout counts from the client's last new connection (kube-proxy's {@code recent}
     * semantics), not from the first: single connections about 1.5 s apart keep the client on its
     * endpoint for more than three 4 s timeouts.
     */
    @Test
    void eachNewConnectionRestartsTheAffinityTimeout() throws InterruptedException {
        proxy.replaceAll(List.of(web(Optional.of(new ClientIpAffinity(4)), "ep-a", "ep-b", "ep-c")));
        List<String> first = lines(clientPod, "connect", 80, 1);
        long start = System.nanoTime();
        long last = start;
        while (System.nanoTime() - start < 13_000_000_000L) {
            Thread.sleep(1000);
            List<String> next = lines(clientPod, "connect", 80, 1);
            long now = System.nanoTime();
            assertThat(next).as("%d ms after the first connection, %d ms after the previous one",
                    (now - start) / 1_000_000, (now - last) / 1_000_000).isEqualTo(first);
            last = now;
        }
    }

    /** The learned affinity flows of table SERVICE_AFFINITY, without counters and ages. */
    private List<String> learnedFlows() {
        return sandbox.ofctl(BRIDGE, "dump-flows", "--no-stats", "table=9").lines()
                .filter(l -> l.contains("cookie=0x747206")).sorted().toList();
    }

    // ------------------------------------------------------------------ hairpin

    @Test
    void aPodReachesItselfThroughItsService() {
        Pod self = endpoints.get("ep-a");
        proxy.replaceAll(List.of(web(Optional.empty(), "ep-a")));
        assertThat(lines(self, "connect", 80, 5)).containsOnly("ep-a 8080");
        assertThat(lines(self, "udp", 53, 5)).containsOnly("ep-a 5353");
        // The hairpin connections were SNATed in the hairpin zone to the hairpin source.
        String conntrack = sandbox.appctlVswitchd("dpctl/dump-conntrack", "zone=" + flows.hairpinCtZone());
        assertThat(conntrack).as(conntrack).contains("src=10.20.0.11").contains("dst=169.254.0.252");

        // With other endpoints too, its connections reach itself and the others.
        proxy.upsert(web(Optional.empty(), "ep-a", "ep-b", "ep-c"));
        assertThat(answers(self, "connect", 80, 40)).containsExactlyInAnyOrder("ep-a 8080", "ep-b 8080", "ep-c 8080");
        // Other clients are not affected by the hairpin flows.
        assertThat(answers(clientPod, "connect", 80, 30)).containsExactlyInAnyOrder("ep-a 8080", "ep-b 8080",
                "ep-c 8080");
    }

    // ------------------------------------------------------------------ reject

    @Test
    void withoutEndpointsConnectionsAreRefusedAtOnce() {
        proxy.replaceAll(List.of(web(Optional.empty())));
        ServiceRejector rejector = proxy.rejector().orElseThrow();
        long answeredBefore = rejector.answered();

        long start = System.nanoTime();
        List<String> tcp = lines(clientPod, "connect", 80, 5);
        long tcpMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(tcp).allSatisfy(l -> assertThat(l).contains("Connection refused"));
        // Each attempt would wait its 1 s timeout if the SYN were dropped.
        assertThat(tcpMillis).as("5 refused connections took %d ms", tcpMillis).isLessThan(2500);

        start = System.nanoTime();
        assertThat(lines(clientPod, "udpc", 53, 5)).containsOnly("refused");
        long udpMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(udpMillis).as("5 refused datagrams took %d ms", udpMillis).isLessThan(2500);
        assertThat(rejector.answered() - answeredBefore).isEqualTo(10);
        assertThat(rejector.limited()).isZero();

        // From an endpoint pod too (the answer goes back to whichever port asked).
        assertThat(lines(endpoints.get("ep-b"), "connect", 80, 2))
                .allSatisfy(l -> assertThat(l).contains("Connection refused"));

        // Endpoints back: answers, no more rejects.
        proxy.upsert(web(Optional.empty(), "ep-c"));
        assertThat(lines(clientPod, "connect", 80, 3)).containsOnly("ep-c 8080");
        assertThat(lines(clientPod, "udpc", 53, 3)).containsOnly("ep-c 5353");
    }

    // ------------------------------------------------------------------ model

    private Service web(Optional<ClientIpAffinity> affinity, String... names) {
        List<ServiceEndpoint> eps = new ArrayList<>();
        for (String name : names) {
            eps.add(new ServiceEndpoint(address(endpoints.get(name).ipv4()),
                    List.of(new EndpointPort("http", Protocol.TCP, 8080), new EndpointPort("dns", Protocol.UDP, 5353)),
                    true, Optional.empty()));
        }
        return new Service(WEB, List.of(address(CLUSTER_IP)),
                List.of(new ServicePort("http", Protocol.TCP, 80, OptionalInt.empty()),
                        new ServicePort("dns", Protocol.UDP, 53, OptionalInt.empty())),
                eps, affinity);
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
        Process p = sandbox.spawn(pod.netns(), List.of("python3", script, "serve", name, pod.ipv4(), "8080", "5353"));
        try {
            assertThat(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine())
                    .as("server %s started", name).isEqualTo("ready");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** The distinct answers of {@code count} attempts, none of which may fail. */
    private Set<String> answers(Pod from, String mode, int port, int count) {
        List<String> lines = lines(from, mode, port, count);
        assertThat(lines).as("%s %d from %s", mode, port, from.netns()).noneMatch(l -> l.startsWith("failed"));
        return lines.stream().collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    private List<String> lines(Pod from, String mode, int port, int count) {
        CommandResult r = sandbox.execResult(from.netns(), List.of("python3", script, mode, CLUSTER_IP,
                Integer.toString(port), Integer.toString(count)));
        assertThat(r.exitCode()).as("%s %d: %s", mode, port, r).isZero();
        List<String> lines = r.stdout().lines().toList();
        assertThat(lines).as("%s %d answers", mode, port).hasSize(count);
        return lines;
    }

    private String debugTables() {
        return sandbox.ofctl(BRIDGE, "dump-flows", "table=9") + sandbox.ofctl(BRIDGE, "dump-flows", "table=10")
                + sandbox.ofctl(BRIDGE, "dump-groups") + readLog();
    }

    private String readLog() {
        try {
            List<String> log = Files.readAllLines(sandbox.vswitchdLog());
            return String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size()));
        } catch (IOException e) {
            return e.toString();
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
}
