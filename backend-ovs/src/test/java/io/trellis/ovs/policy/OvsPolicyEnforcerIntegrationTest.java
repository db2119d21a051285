package io.trellis.ovs.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.client.OpenFlowClientConfig;
import io.trellis.ovs.pipeline.CookieScheme;
import io.trellis.ovs.pipeline.LocalPod;
import io.trellis.ovs.pipeline.NodeNetwork;
import io.trellis.ovs.pipeline.Pipeline;
import io.trellis.ovs.pipeline.PipelineFlows;
import io.trellis.ovs.pipeline.PipelineInstaller;
import io.trellis.ovs.pipeline.PipelineStage;
import io.trellis.ovs.pipeline.ServiceFlows;
import io.trellis.ovs.service.OvsServiceProxy;
import io.trellis.ovs.testing.CommandResult;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.testing.Pod;
import io.trellis.ovs.transport.Backoff;
import io.trellis.ovs.transport.NettyTransport;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IpBlock;
import io.trellis.spi.policy.IsolationDropCounters;
import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.Peers;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyRule;
import io.trellis.spi.policy.PolicyStatistics;
import io.trellis.spi.policy.PolicyTarget;
import io.trellis.spi.policy.PortMatch;
import io.trellis.spi.policy.RuleCounters;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServicePort;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link OvsPolicyEnforcer} on a real OVS (userspace datapath): one node (the sandbox netns,
 * gateway gw0 10.20.0.1), server pods s1 10.20.0.11 and s2 10.20.0.12 (TCP and UDP 80, 81, 82,
 * 8080; each answer names the server), client pods c1 10.20.0.21 and c2 10.20.0.22. A dropped TCP
 * SYN shows as "timeout" (not "refused": the enforcer drops, it does not reject). Each test starts
 * from a fresh pipeline install and a new enforcer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OvsPolicyEnforcerIntegrationTest {
    private static final String BRIDGE = "br0";
    private static final int GATEWAY_PORT = 1;
    private static final String CLUSTER_IP = "10.96.0.10";
    private static final String TIMEOUT = "0.7";
    private static final OpenFlowClientConfig CONFIG = OpenFlowClientConfig.DEFAULT
            .withRequestTimeout(Duration.ofSeconds(10))
            .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), 2.0));
    private static final PolicyRef WEB_POLICY = new PolicyRef("default", "web");

    private final PipelineFlows flows = new PipelineFlows(Pipeline.withPolicy(), CookieScheme.DEFAULT,
            PipelineFlows.DEFAULT_CT_ZONE);
    private OvsSandbox sandbox;
    private NettyTransport transport;
    private OpenFlowClient client;
    private PipelineInstaller installer;
    private OvsPolicyEnforcer enforcer;
    private String script;
    private NodeNetwork node;
    private final Map<String, Pod> byName = new LinkedHashMap<>();
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

            Path scriptFile = sandbox.runDir().resolve("policytool.py");
            try (InputStream in = getClass().getResourceAsStream("policytool.py")) {
                assertThat(in).as("test resource policytool.py").isNotNull();
                Files.write(scriptFile, in.readAllBytes());
            }
            script = scriptFile.toString();
            addPod("s1", 11);
            addPod("s2", 12);
            addPod("c1", 21);
            addPod("c2", 22);
            for (Pod p : sandbox.pods()) {
                sandbox.execIn(p.netns(), "ip", "route", "add", "default", "via", "10.20.0.1");
            }
            servers.add(server("s1"));
            servers.add(server("s2"));
            sandbox.ofctl(BRIDGE, "del-flows");
            transport = new NettyTransport(1, "it-policy");
            client = new OpenFlowClient(transport, sandbox.bridgeEndpoint(BRIDGE), CONFIG);
            await(client.connect());
        } catch (RuntimeException | IOException | AssertionError e) {
            down();
            throw e;
        }
    }

    @AfterAll
    void down() {
        try {
            servers.forEach(Process::destroyForcibly);
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
        installer = new PipelineInstaller(client, flows);
        await(installer.install(node, pods));
        // Connections of an earlier test must not be taken for established ones.
        sandbox.appctlVswitchd("dpctl/flush-conntrack");
        enforcer = OvsPolicyEnforcer.sharing(installer, Duration.ofSeconds(10));
        enforcer.replaceAll(List.of());
    }

    @AfterEach
    void noPolicyFlowsLeft() {
        enforcer.replaceAll(List.of());
        // Only the two generation flows (one per policy stage) stay.
        assertThat(policyFlowDump()).as("policy flows after replaceAll([])").hasSize(2)
                .allMatch(l -> l.contains("priority=260,ct_state=-trk,ct_mark="));
    }

    // ------------------------------------------------------------------ tests

    @Test
    void withoutPoliciesEverythingPasses() {
        assertThat(tcp("c1", "s1", 80, 2)).containsOnly("s1 80");
        assertThat(tcp("c2", "s2", 8080, 2)).containsOnly("s2 8080");
        assertThat(udp("c1", "s2", 81, 2)).containsOnly("s2 81");
    }

    @Test
    void ingressAllowsBySourceAndPortAndDropsTheRest() {
        enforcer.upsert(ingressOnS1(rule(0, peers("10.20.0.21/32"), List.of(PortMatch.of(Protocol.TCP, 80)))));

        assertThat(tcp("c1", "s1", 80, 3)).as("allowed source and port").containsOnly("s1 80");
        assertThat(tcp("c1", "s1", 81, 1)).as("other port: the SYN is dropped").containsOnly("timeout");
        assertThat(tcp("c2", "s1", 80, 1)).as("other source").containsOnly("timeout");
        assertThat(udp("c1", "s1", 80, 1)).as("UDP is not TCP").containsOnly("timeout");
        assertThat(tcp("c2", "s2", 81, 2)).as("s2 is not isolated").containsOnly("s2 81");
        // The node (kubelet probes) reaches isolated pods.
        assertThat(tcpFromNode("10.20.0.11", 81)).containsOnly("s1 81");
        // s1 is not isolated for egress: its own connections go anywhere.
        assertThat(tcp("s1", "s2", 82, 1)).containsOnly("s2 82");

        // The flows: a conjunction of 3 clauses (target, peer, port) and its conj_id flow.
        String ingress = sandbox.ofctlWithOptions(List.of("-O", "OpenFlow15"), BRIDGE, "dump-flows",
                "table=" + flows.pipeline().table(PipelineStage.INGRESS_POLICY));
        long id = enforcer.ruleId(WEB_POLICY, Direction.INGRESS, 0, 0).orElseThrow();
        assertThat(ingress).contains("nw_dst=10.20.0.11 actions=conjunction(" + id + ",1/3)")
                .contains("nw_src=10.20.0.21 actions=conjunction(" + id + ",2/3)")
                .contains("tp_dst=80 actions=conjunction(" + id + ",3/3)")
                .contains("conj_id=" + id + ",ip actions=set_field:0x" + Long.toHexString(id) + "->reg3,goto_table:");
    }

    @Test
    void ipBlockWithExceptAllowsTheBlockButNotTheException() {
        enforcer.upsert(ingressOnS1(rule(0, new Peers.Only(List.of(new IpBlock(IpPrefix.parse("10.20.0.0/24"),
                List.of(IpPrefix.parse("10.20.0.22/32"))))), List.of())));
        assertThat(tcp("c1", "s1", 80, 2)).containsOnly("s1 80");
        assertThat(tcp("c1", "s1", 8080, 1)).containsOnly("s1 8080");
        assertThat(tcp("c2", "s1", 80, 1)).as("the except").containsOnly("timeout");
    }

    @Test
    void portRangeAllowsItsPortsOnly() {
        enforcer.upsert(ingressOnS1(rule(0, new Peers.Any(), List.of(new PortMatch(Protocol.TCP, OptionalInt.of(81),
                OptionalInt.of(82))))));
        assertThat(tcp("c1", "s1", 81, 1)).containsOnly("s1 81");
        assertThat(tcp("c2", "s1", 82, 1)).containsOnly("s1 82");
        assertThat(tcp("c1", "s1", 80, 1)).containsOnly("timeout");
        assertThat(tcp("c1", "s1", 8080, 1)).containsOnly("timeout");
    }

    @Test
    void egressToOneAddressAndRepliesOfIncomingConnections() {
        enforcer.upsert(new NetworkPolicyRules(new PolicyRef("default", "c1-out"), List.of(target("c1")),
                Set.of(Direction.EGRESS), List.of(), List.of(rule(0, peers("10.20.0.12/32"), List.of()))));
        assertThat(tcp("c1", "s2", 80, 2)).containsOnly("s2 80");
        assertThat(udp("c1", "s2", 81, 1)).containsOnly("s2 81");
        assertThat(tcp("c1", "s1", 80, 1)).containsOnly("timeout");
        assertThat(tcp("c2", "s1", 80, 1)).as("c2 is not isolated").containsOnly("s1 80");
        // c1 as a server: its replies are not egress connections. c1 serves nothing, so it refuses:
        // the RST reaching s1 proves replies pass (a dropped reply would time out).
        assertThat(tcp("s1", "c1", 80, 1)).containsOnly("refused");
    }

    @Test
    void udpRules() {
        enforcer.upsert(ingressOnS1(rule(0, new Peers.Any(), List.of(PortMatch.of(Protocol.UDP, 81)))));
        assertThat(udp("c1", "s1", 81, 3)).containsOnly("s1 81");
        assertThat(udp("c1", "s1", 80, 1)).containsOnly("timeout");
        assertThat(tcp("c1", "s1", 81, 1)).containsOnly("timeout");
    }

    @Test
    void anEstablishedConnectionContinuesWhenAPolicyStartsDenyingIt() throws IOException {
        Process held = sandbox.spawn(byName.get("c1").netns(), List.of("python3", script, "hold", "10.20.0.11", "80"));
        try (BufferedReader out = new BufferedReader(new InputStreamReader(held.getInputStream(), StandardCharsets.UTF_8));
                Writer in = new OutputStreamWriter(held.getOutputStream(), StandardCharsets.UTF_8)) {
            assertThat(out.readLine()).isEqualTo("connected");
            assertThat(ask(in, out)).isEqualTo("s1 80");
            // s1 isolated, nothing allowed: new connections are dropped, the held one is not re-evaluated.
            enforcer.upsert(ingressOnS1());
            assertThat(tcp("c1", "s1", 80, 1)).containsOnly("timeout");
            assertThat(ask(in, out)).as("the connection established before the policy").isEqualTo("s1 80");
        } finally {
            held.destroyForcibly();
        }
    }

    @Test
    void policyUpdatesAndRemovalTakeEffect() {
        enforcer.upsert(ingressOnS1(rule(0, new Peers.Any(), List.of(PortMatch.of(Protocol.TCP, 80)))));
        assertThat(tcp("c1", "s1", 81, 1)).containsOnly("timeout");
        enforcer.upsert(ingressOnS1(rule(0, new Peers.Any(), List.of(PortMatch.of(Protocol.TCP, 81)))));
        assertThat(tcp("c1", "s1", 81, 1)).containsOnly("s1 81");
        assertThat(tcp("c1", "s1", 80, 1)).containsOnly("timeout");
        enforcer.remove(WEB_POLICY);
        assertThat(tcp("c1", "s1", 80, 1)).containsOnly("s1 80");
        assertThat(policyFlowDump()).hasSize(2).allMatch(l -> l.contains("ct_mark="));
    }

    /**
     * Regression (conformance suite, two-node lab): a datapath flow that a revalidator "modified"
     * in place after a policy change could keep its old verdict (OVS 3.1's userspace datapath finds
     * the flow to modify by a lookup of its key, which with overlapping megaflows hits another one),
     * and it lived on as long as packets kept hitting it: a denied peer stayed allowed with the old
     * rule id in ct_label, an egress drop survived its policy's deletion. Every policy change now
     * makes the datapath flows that went through the policy stages too wide for the new
     * translation (a new ct_mark bit examined), so the revalidators delete them instead.
     */
    @Test
    void aPolicyChangeRetiresTheDatapathFlowsOfThePreviousPolicies() {
        enforcer.upsert(ingressOnS1(rule(0, peers("10.20.0.21/32"), List.of(PortMatch.of(Protocol.TCP, 80)))));
        sandbox.appctlVswitchd("dpctl/del-flows"); // no datapath flows of earlier tests
        assertThat(tcp("c1", "s1", 80, 2)).containsOnly("s1 80");
        String before = generationMaskOfFlowsFrom("10.20.0.21");

        // c2 instead of c1, while c1 keeps connecting: its megaflow must not survive.
        enforcer.upsert(ingressOnS1(rule(0, peers("10.20.0.22/32"), List.of(PortMatch.of(Protocol.TCP, 80)))));
        sandbox.appctlVswitchd("revalidator/wait");
        sandbox.appctlVswitchd("revalidator/wait");
        String dp = sandbox.appctlVswitchd("dpctl/dump-flows");
        assertThat(dp.lines().filter(l -> l.contains("ct_mark(0/" + before + ")")))
                .as("datapath flows of the previous generation (%s) after the change:%n%s", before, dp).isEmpty();
        assertThat(tcp("c1", "s1", 80, 2)).as("c1 no longer allowed").containsOnly("timeout");
        assertThat(tcp("c2", "s1", 80, 1)).containsOnly("s1 80");
        assertThat(generationMaskOfFlowsFrom("10.20.0.21")).isNotEqualTo(before);

        enforcer.remove(WEB_POLICY);
        assertThat(tcp("c1", "s1", 80, 1)).as("the policy's deletion lets c1 in again").containsOnly("s1 80");
    }

    /** The ct_mark mask of the datapath flows of packets from {@code source} that went through the policy stages. */
    private String generationMaskOfFlowsFrom(String source) {
        String dp = sandbox.appctlVswitchd("dpctl/dump-flows");
        List<String> masks = dp.lines().filter(l -> l.contains("src=" + source + ",") && l.contains("ct_state(")
                && l.contains("recirc_id(0x")).map(l -> {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("ct_mark\\(0/(0x[0-9a-f]+)\\)").matcher(l);
                    return m.find() ? m.group(1) : "none";
                }).distinct().toList();
        assertThat(masks).as("ct_mark masks of the datapath flows from %s:%n%s", source, dp).singleElement()
                .isNotEqualTo("none");
        return masks.get(0);
    }

    @Test
    void egressPolicyThroughAServiceSeesTheEndpointAndDeniedConnectionsStayDenied() {
        OvsServiceProxy proxy = new OvsServiceProxy(client, ServiceFlows.of(flows), Duration.ofSeconds(10));
        try {
            proxy.replaceAll(List.of(webService()));
            enforcer.upsert(new NetworkPolicyRules(new PolicyRef("default", "c1-out"), List.of(target("c1")),
                    Set.of(Direction.EGRESS), List.of(), List.of(rule(0, peers("10.20.0.11/32"), List.of()))));
            // 2.5 s per connection: a denied SYN is retransmitted after 1 s. Were the Service DNAT's
            // commit (before the policy stages) taken for an established connection, the retransmission
            // would pass and reach s2.
            List<String> answers = tcpTo("c1", CLUSTER_IP, 80, 10, "2.5");
            assertThat(answers).as("through the cluster IP").containsOnly("s1 80", "timeout").contains("s1 80", "timeout");
            // UDP: the second datagram of a flow whose first one was dropped finds the entry the DNAT
            // committed (+est in OVS's userspace conntrack, unlike a TCP SYN retransmission, which
            // is +new again); it must be evaluated again, not pass as established.
            CommandResult r = sandbox.execResult(byName.get("c1").netns(), List.of("python3", script, "udpsame",
                    CLUSTER_IP, "81", "10", "3", TIMEOUT));
            assertThat(r.exitCode()).as("udpsame: %s", r).isZero();
            assertThat(r.stdout().lines().toList()).as("UDP flows through the cluster IP").hasSize(10)
                    .containsOnly("s1 81,s1 81,s1 81", "timeout,timeout,timeout")
                    .contains("s1 81,s1 81,s1 81", "timeout,timeout,timeout");
        } finally {
            proxy.replaceAll(List.of());
        }
    }

    @Test
    void statisticsCountSessionsOnTheAllowingRuleAndDropsOnTheIsolation() {
        enforcer.upsert(ingressOnS1(rule(0, peers("10.20.0.21/32"), List.of(PortMatch.of(Protocol.TCP, 80))),
                rule(1, new Peers.Any(), List.of(PortMatch.of(Protocol.UDP, 81)))));
        int n = 7;
        assertThat(tcp("c1", "s1", 80, n)).containsOnly("s1 80");
        assertThat(tcp("c2", "s1", 80, 2)).containsOnly("timeout");

        PolicyStatistics stats = enforcer.statistics();
        RuleCounters tcpRule = counters(stats, 0);
        assertThat(tcpRule.sessions()).isEqualTo(n);
        // SYN, ACK, data, FIN... of both directions.
        assertThat(tcpRule.packets()).isGreaterThanOrEqualTo(5L * n);
        assertThat(tcpRule.bytes()).isGreaterThan(tcpRule.packets() * 54);
        assertThat(counters(stats, 1)).extracting(RuleCounters::sessions, RuleCounters::packets).containsExactly(0L, 0L);
        IsolationDropCounters drops = stats.isolationDrops().stream()
                .filter(d -> d.pod().equals(pod("s1")) && d.direction() == Direction.INGRESS).findFirst().orElseThrow();
        // Two connections, each a SYN and at least none or one retransmission within the timeout.
        assertThat(drops.packets()).isGreaterThanOrEqualTo(2);

        // The deciding rule is in the connections' ct_label: bit 64 + ingress rule id in bits 0..31.
        long id = enforcer.ruleId(WEB_POLICY, Direction.INGRESS, 0, 0).orElseThrow();
        String conntrack = sandbox.appctlVswitchd("dpctl/dump-conntrack");
        String label = "labels=0x1" + String.format("%016x", id);
        assertThat(conntrack.lines().filter(l -> l.contains("dst=10.20.0.11") && l.contains("dport=80")))
                .as("conntrack:\n%s", conntrack).isNotEmpty().allMatch(l -> l.contains(label));
    }

    // ------------------------------------------------------------------ model

    private NetworkPolicyRules ingressOnS1(PolicyRule... rules) {
        return new NetworkPolicyRules(WEB_POLICY, List.of(target("s1")), Set.of(Direction.INGRESS), List.of(rules),
                List.of());
    }

    private static PolicyRule rule(int index, Peers peers, List<PortMatch> ports) {
        return new PolicyRule(index, peers, ports);
    }

    private static Peers peers(String... cidrs) {
        return new Peers.Only(java.util.Arrays.stream(cidrs).map(c -> IpBlock.of(IpPrefix.parse(c))).toList());
    }

    private PolicyTarget target(String name) {
        return new PolicyTarget(pod(name), List.of(address(byName.get(name).ipv4())));
    }

    private static PodRef pod(String name) {
        return new PodRef("default", name);
    }

    private static RuleCounters counters(PolicyStatistics stats, int index) {
        return stats.rules().stream().filter(r -> r.ref().equals(WEB_POLICY) && r.index() == index).findFirst()
                .orElseThrow(() -> new AssertionError("no counters of rule " + index + " in " + stats));
    }

    private Service webService() {
        List<ServiceEndpoint> eps = new ArrayList<>();
        for (String name : List.of("s1", "s2")) {
            eps.add(new ServiceEndpoint(address(byName.get(name).ipv4()),
                    List.of(new EndpointPort("http", Protocol.TCP, 80), new EndpointPort("udp", Protocol.UDP, 81)), true,
                    Optional.empty()));
        }
        return new Service(new ServiceRef("default", "web"), List.of(address(CLUSTER_IP)),
                List.of(new ServicePort("http", Protocol.TCP, 80, OptionalInt.empty()),
                        new ServicePort("udp", Protocol.UDP, 81, OptionalInt.empty())), eps);
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    // ------------------------------------------------------------------ traffic

    private void addPod(String name, int n) {
        Pod pod = sandbox.addPod(BRIDGE, "10.20.0." + n + "/24", n);
        byName.put(name, pod);
        pods.add(LocalPod.of("default/" + name, n, pod.ipv4(), pod.mac()));
    }

    private Process server(String name) {
        Pod pod = byName.get(name);
        Process p = sandbox.spawn(pod.netns(), List.of("python3", script, "serve", name, pod.ipv4(), "80", "81", "82",
                "8080"));
        try {
            assertThat(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine())
                    .as("server %s started", name).isEqualTo("ready");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    private List<String> tcp(String from, String to, int port, int count) {
        return tcpTo(from, byName.get(to).ipv4(), port, count, TIMEOUT);
    }

    private List<String> tcpTo(String from, String ip, int port, int count, String timeout) {
        return run(byName.get(from).netns(), "tcp", ip, port, count, timeout);
    }

    private List<String> tcpFromNode(String ip, int port) {
        return run(sandbox.netns(), "tcp", ip, port, 1, TIMEOUT);
    }

    private List<String> udp(String from, String to, int port, int count) {
        return run(byName.get(from).netns(), "udp", byName.get(to).ipv4(), port, count, TIMEOUT);
    }

    private List<String> run(String netns, String mode, String ip, int port, int count, String timeout) {
        CommandResult r = sandbox.execResult(netns, List.of("python3", script, mode, ip, Integer.toString(port),
                Integer.toString(count), timeout));
        assertThat(r.exitCode()).as("%s %s:%d: %s", mode, ip, port, r).isZero();
        List<String> lines = r.stdout().lines().toList();
        assertThat(lines).as("%s %s:%d answers", mode, ip, port).hasSize(count);
        return lines;
    }

    private static String ask(Writer in, BufferedReader out) throws IOException {
        in.write("again\n");
        in.flush();
        return out.readLine();
    }

    private List<String> policyFlowDump() {
        CookieScheme c = CookieScheme.DEFAULT;
        List<String> lines = new ArrayList<>();
        for (int kind : List.of(CookieScheme.KIND_POLICY, CookieScheme.KIND_POLICY_ISOLATION)) {
            String dump = sandbox.ofctlWithOptions(List.of("-O", "OpenFlow15"), BRIDGE, "dump-flows",
                    "cookie=0x" + Long.toHexString(c.kindValue(kind)) + "/0x" + Long.toHexString(c.kindMask()));
            dump.lines().filter(l -> l.contains("cookie=")).forEach(lines::add);
        }
        return lines;
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
