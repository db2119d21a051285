package io.trellis.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.trellis.agent.backend.BackendRegistry;
import io.trellis.agent.k8s.NodeUnavailableException;
import io.trellis.agent.testing.CniRunner;
import io.trellis.agent.testing.FakePodsBackend;
import io.trellis.ipam.HostLocalBackend;
import io.trellis.spi.model.IpPrefix;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent in-process against the Kubernetes API stand-in, with the real host-local IPAM backend
 * (state in a temp dir) and a test pod interface backend, driven by the real trellis-cni
 * executable exactly as a container runtime drives it.
 */
@EnableKubernetesMockClient(crud = true)
class AgentEndToEndIT {
    private static final String NODE = "node-e2e";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    KubernetesClient client;
    @TempDir
    Path dir;
    private Path config;
    private Path netns;
    private FakePodsBackend pods;
    private final CniRunner cni = new CniRunner();

    @BeforeEach
    void setUp() throws Exception {
        config = dir.resolve("trellis-agent.yaml");
        Files.writeString(config, """
                nodeName:
                  from: fixed
                  value: %s
                backends:
                  ipam: host-local
                  podInterface: fake-pods
                  nodeRoutes: none
                network:
                  mtu: 1450
                  podCidr: node-spec
                paths:
                  stateDir: %s
                  runDir: %s
                  cniSocket: %s
                """.formatted(NODE, dir.resolve("state"), dir.resolve("run"), socket()));
        netns = Files.createFile(dir.resolve("netns-pod-a"));
        pods = new FakePodsBackend();
    }

    private Path socket() {
        return dir.resolve("run/cni.sock");
    }

    private TrellisAgent agent(Duration nodeTimeout) {
        return new TrellisAgent(new AgentOptions(config, Optional.empty(), nodeTimeout),
                BackendRegistry.of(List.of(new HostLocalBackend(), pods)), client,
                ips -> {
                    throw new AssertionError("network.mtu is fixed: no uplink lookup expected");
                }, Map.of(), () -> "unused", Duration.ofMillis(50));
    }

    private void createNode(List<String> podCidrs) {
        Node node = new NodeBuilder().withNewMetadata().withName(NODE).endMetadata()
                .withNewSpec().withPodCIDRs(podCidrs).endSpec()
                .withNewStatus().withAddresses(new NodeAddress("192.168.77.2", "InternalIP")).endStatus().build();
        client.nodes().resource(node).create();
    }

    private String netconf(String version, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"trellis\",\"type\":\"trellis-cni\",\"agentSocket\":\""
                + socket() + "\",\"agentTimeoutSeconds\":20" + extra + "}";
    }

    private Map<String, String> env(String command, String containerId, String pod) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        if (containerId != null) {
            env.put("CNI_CONTAINERID", containerId);
            env.put("CNI_IFNAME", "eth0");
            env.put("CNI_NETNS", netns.toString());
            env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=x;K8S_POD_NAME=" + pod + ";K8S_POD_UID=u-" + pod);
        }
        env.put("CNI_PATH", "/opt/cni/bin");
        return env;
    }

    private Path allocations() {
        return dir.resolve("state/backends/host-local/allocations");
    }

    private List<String> allocationFiles() throws Exception {
        if (!Files.isDirectory(allocations())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(allocations())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void addCheckGcDelThroughTheCniExecutable() throws Exception {
        createNode(List.of("10.244.7.0/24"));
        try (RunningAgent agent = agent(Duration.ofSeconds(10)).start()) {
            assertThat(agent.node().podCidrs()).containsExactly(IpPrefix.parse("10.244.7.0/24"));

            CniRunner.Run add = cni.run(env("ADD", "c-a", "a"), netconf("1.0.0", ""));
            assertThat(add.exitCode()).as("%s", add).isZero();
            JsonNode result = JSON.readTree(add.stdout());
            assertThat(result.get("cniVersion").asString()).isEqualTo("1.0.0");
            JsonNode ip = result.get("ips").get(0);
            String cidr = ip.get("address").asString();
            InetAddress address = InetAddress.getByName(cidr.substring(0, cidr.indexOf('/')));
            assertThat(IpPrefix.parse("10.244.7.0/24").contains(address)).as(cidr).isTrue();
            assertThat(cidr).endsWith("/24");
            assertThat(ip.get("gateway").asString()).isEqualTo("10.244.7.1");
            assertThat(ip.get("interface").asInt()).isEqualTo(1);
            assertThat(result.get("interfaces").get(1).get("name").asString()).isEqualTo("eth0");
            assertThat(result.get("interfaces").get(1).get("sandbox").asString()).isEqualTo(netns.toString());
            assertThat(result.get("routes").get(0).get("dst").asString()).isEqualTo("0.0.0.0/0");
            assertThat(result.get("routes").get(0).get("gw").asString()).isEqualTo("10.244.7.1");

            // The host-local state on disk holds exactly this allocation.
            String ipText = address.getHostAddress();
            assertThat(allocationFiles()).containsExactly(ipText + ".json");
            JsonNode onDisk = JSON.readTree(Files.readString(allocations().resolve(ipText + ".json")));
            assertThat(onDisk.get("containerId").asString()).isEqualTo("c-a");
            assertThat(onDisk.get("ifName").asString()).isEqualTo("eth0");
            assertThat(onDisk.get("pod").get("name").asString()).isEqualTo("a");
            assertThat(onDisk.get("addresses").get(0).get("address").asString()).isEqualTo(ipText);
            assertThat(pods.driver().attached()).containsKey(List.of("c-a", "eth0"));
            assertThat(pods.driver().attached().get(List.of("c-a", "eth0")).mtu()).isEqualTo(1450);

            // CHECK with the ADD result as prevResult (0.4.0 and later carry CHECK).
            String prev = ",\"prevResult\":" + add.stdout().strip();
            CniRunner.Run check = cni.run(env("CHECK", "c-a", "a"), netconf("1.0.0", prev));
            assertThat(check.exitCode()).as("%s", check).isZero();

            // A second pod, then GC keeping only the first: the second's address is released.
            CniRunner.Run addB = cni.run(env("ADD", "c-b", "b"), netconf("1.1.0", ""));
            assertThat(addB.exitCode()).as("%s", addB).isZero();
            assertThat(allocationFiles()).hasSize(2);
            CniRunner.Run gc = cni.run(env("GC", null, null), netconf("1.1.0",
                    ",\"cni.dev/valid-attachments\":[{\"containerID\":\"c-a\",\"ifname\":\"eth0\"}]"));
            assertThat(gc.exitCode()).as("%s", gc).isZero();
            assertThat(allocationFiles()).containsExactly(ipText + ".json");
            assertThat(pods.driver().attached().keySet()).containsExactly(List.of("c-a", "eth0"));

            CniRunner.Run status = cni.run(env("STATUS", null, null), netconf("1.1.0", ""));
            assertThat(status.exitCode()).as("%s", status).isZero();

            // DEL releases; a second DEL and a DEL after the netns is gone still succeed.
            CniRunner.Run del = cni.run(env("DEL", "c-a", "a"), netconf("1.0.0", prev));
            assertThat(del.exitCode()).as("%s", del).isZero();
            assertThat(allocationFiles()).isEmpty();
            assertThat(agent.attachments().all()).isEmpty();
            Files.delete(netns);
            Map<String, String> gone = env("DEL", "c-a", "a");
            gone.remove("CNI_NETNS");
            CniRunner.Run again = cni.run(gone, netconf("1.0.0", ""));
            assertThat(again.exitCode()).as("%s", again).isZero();
        }
        assertThat(socket()).as("the socket is removed on close").doesNotExist();
    }

    @Test
    void untilTheNodeHasAPodCidrStatusIsNotAvailableAndAddAsksToTryAgain() throws Exception {
        createNode(List.of());
        CompletableFuture<RunningAgent> starting = CompletableFuture.supplyAsync(() -> {
            try {
                return agent(Duration.ofSeconds(30)).start();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            for (int i = 0; i < 100 && !Files.exists(socket()); i++) {
                Thread.sleep(50);
            }
            CniRunner.Run status = cni.run(env("STATUS", null, null), netconf("1.1.0", ""));
            assertThat(status.exitCode()).isEqualTo(1);
            JsonNode error = JSON.readTree(status.stdout());
            assertThat(error.get("code").asInt()).isEqualTo(50);
            assertThat(error.get("msg").asString()).contains("waiting for Node node-e2e and its spec.podCIDRs");
            CniRunner.Run add = cni.run(env("ADD", "c-a", "a"), netconf("1.0.0", ""));
            assertThat(JSON.readTree(add.stdout()).get("code").asInt()).as("%s", add).isEqualTo(11);

            client.nodes().withName(NODE).edit(n -> {
                n.getSpec().setPodCIDRs(List.of("10.244.8.0/24"));
                return n;
            });
            try (RunningAgent agent = starting.get(20, TimeUnit.SECONDS)) {
                assertThat(agent.node().podCidrs()).containsExactly(IpPrefix.parse("10.244.8.0/24"));
                CniRunner.Run ready = cni.run(env("STATUS", null, null), netconf("1.1.0", ""));
                assertThat(ready.exitCode()).as("%s", ready).isZero();
                CniRunner.Run added = cni.run(env("ADD", "c-a", "a"), netconf("1.0.0", ""));
                assertThat(JSON.readTree(added.stdout()).get("ips").get(0).get("address").asString()).startsWith("10.244.8.");
            }
        } finally {
            starting.cancel(true);
        }
    }

    @Test
    void aNodeThatNeverGetsAPodCidrStopsTheStartAndLeavesNoSocket() {
        createNode(List.of());
        assertThatThrownBy(() -> agent(Duration.ofMillis(500)).start())
                .isInstanceOf(NodeUnavailableException.class)
                .hasMessageStartingWith("gave up after 500 ms: Node node-e2e has no spec.podCIDR yet");
        assertThat(socket()).doesNotExist();
    }
}
