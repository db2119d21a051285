package io.trellis.agent.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.trellis.spi.model.IpPrefix;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class NodeReaderTest {
    KubernetesClient client;

    private NodeReader reader() {
        return new NodeReader(client, Duration.ofMillis(50));
    }

    static Node node(String name, List<String> podCidrs, String... internalIps) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withPodCIDRs(podCidrs).withPodCIDR(podCidrs.isEmpty() ? null : podCidrs.get(0)).endSpec()
                .withNewStatus().addNewAddress().withType("Hostname").withAddress(name).endAddress().endStatus();
        Node node = b.build();
        for (String ip : internalIps) {
            node.getStatus().getAddresses().add(new io.fabric8.kubernetes.api.model.NodeAddress(ip, "InternalIP"));
        }
        return node;
    }

    @Test
    void readsThePodCidrsAndTheInternalIpsOfAnAssignedNode() throws Exception {
        client.nodes().resource(node("node-1", List.of("10.244.1.0/24", "fd00:10:244:1::/64"), "192.168.5.10",
                "fd00::10")).create();

        ObservedNode observed = reader().await("node-1", true, Duration.ofSeconds(5));

        assertThat(observed.name()).isEqualTo("node-1");
        assertThat(observed.podCidrs()).containsExactly(IpPrefix.parse("10.244.1.0/24"), IpPrefix.parse("fd00:10:244:1::/64"));
        assertThat(observed.internalIps()).containsExactly(InetAddress.getByName("192.168.5.10"),
                InetAddress.getByName("fd00::10"));
    }

    @Test
    void theOlderSinglePodCidrFieldIsReadWhenPodCidrsIsEmpty() throws Exception {
        Node node = node("node-1", List.of(), "192.168.5.10");
        node.getSpec().setPodCIDR("10.244.9.0/24");
        client.nodes().resource(node).create();
        assertThat(reader().await("node-1", true, Duration.ofSeconds(5)).podCidrs())
                .containsExactly(IpPrefix.parse("10.244.9.0/24"));
    }

    @Test
    void waitsForThePodCidrToBeAssigned() throws Exception {
        client.nodes().resource(node("node-1", List.of(), "192.168.5.10")).create();
        CompletableFuture<Void> controller = CompletableFuture.runAsync(() -> {
            sleep(400);
            client.nodes().withName("node-1").edit(n -> {
                n.getSpec().setPodCIDR("10.244.3.0/24");
                n.getSpec().setPodCIDRs(List.of("10.244.3.0/24"));
                return n;
            });
        });
        long start = System.nanoTime();
        ObservedNode observed = reader().await("node-1", true, Duration.ofSeconds(10));
        controller.get(5, TimeUnit.SECONDS);
        assertThat(observed.podCidrs()).containsExactly(IpPrefix.parse("10.244.3.0/24"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(350));
    }

    @Test
    void waitsForTheNodeToBeRegistered() throws Exception {
        CompletableFuture<Void> kubelet = CompletableFuture.runAsync(() -> {
            sleep(300);
            client.nodes().resource(node("node-1", List.of("10.244.4.0/24"), "192.168.5.10")).create();
        });
        assertThat(reader().await("node-1", true, Duration.ofSeconds(10)).podCidrs())
                .containsExactly(IpPrefix.parse("10.244.4.0/24"));
        kubelet.get(5, TimeUnit.SECONDS);
    }

    @Test
    void givesUpAfterTheTimeoutSayingWhatIsMissing() {
        client.nodes().resource(node("node-1", List.of(), "192.168.5.10")).create();
        long start = System.nanoTime();
        assertThatThrownBy(() -> reader().await("node-1", true, Duration.ofMillis(600)))
                .isInstanceOf(NodeUnavailableException.class)
                .hasMessageStartingWith("gave up after 600 ms: Node node-1 has no spec.podCIDR yet (the Trellis controller,");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(550), Duration.ofSeconds(5));

        assertThatThrownBy(() -> reader().await("node-2", false, Duration.ofMillis(200)))
                .hasMessage("gave up after 200 ms: Node node-2 does not exist yet (the kubelet registers it)");
    }

    @Test
    void withoutNeedingPodCidrsAnUnassignedNodeIsEnough() throws Exception {
        client.nodes().resource(node("node-1", List.of(), "192.168.5.10")).create();
        assertThat(reader().await("node-1", false, Duration.ofSeconds(5)).podCidrs()).isEmpty();
    }

    @Test
    void aMalformedValueIsAnImmediateErrorNamingTheField() {
        client.nodes().resource(node("node-1", List.of("10.244.1.0/33"), "192.168.5.10")).create();
        client.nodes().resource(node("node-2", List.of("10.244.2.0/24"), "not-an-ip")).create();
        client.nodes().resource(node("node-3", List.of("10.244.3.0/24", "10.244.4.0/24"), "192.168.5.10")).create();
        assertThatThrownBy(() -> reader().await("node-1", true, Duration.ofSeconds(5)))
                .hasMessage("Node node-1: spec.podCIDRs[0]: prefix length of 10.244.1.0 must be 0..32, got 33");
        assertThatThrownBy(() -> reader().await("node-2", true, Duration.ofSeconds(5)))
                .hasMessage("Node node-2: status.addresses[1].address: 'not-an-ip' is not an IP address");
        assertThatThrownBy(() -> reader().await("node-3", true, Duration.ofSeconds(5)))
                .hasMessage("Node node-3: spec.podCIDRs must hold at most one CIDR per IP family, got "
                        + "[10.244.3.0/24, 10.244.4.0/24]");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
