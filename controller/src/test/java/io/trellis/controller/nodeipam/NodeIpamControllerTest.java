package io.trellis.controller.nodeipam;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.trellis.controller.testing.Eventually;
import io.trellis.controller.testing.Nodes;
import io.trellis.ipam.cidr.Cidr;
import io.trellis.ipam.pool.NodeCidrPool;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Node pod CIDR allocation against the Kubernetes API stand-in (fabric8 mock server, CRUD mode). */
@EnableKubernetesMockClient(crud = true)
class NodeIpamControllerTest {
    KubernetesClient client;
    private Nodes nodes;
    private NodeIpamController controller;

    @BeforeEach
    void setUp() {
        nodes = new Nodes(client);
    }

    @AfterEach
    void tearDown() {
        if (controller != null) {
            controller.close();
        }
    }

    private void start(String clusterCidr, int mask) {
        controller = NodeIpamController.start(client, () -> new NodeCidrPool(Cidr.parse(clusterCidr), mask),
                new NodeEventReporter(client, Clock.systemUTC()));
    }

    private List<Event> events(String reason) {
        return client.v1().events().inNamespace(NodeEventReporter.EVENT_NAMESPACE).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }

    @Test
    void nodesWithoutACidrGetDistinctOnesFromTheClusterCidr() {
        nodes.create("node-a");
        nodes.create("node-b");
        start("10.244.0.0/16", 24);
        nodes.create("node-c");

        Eventually.until("every node has a pod CIDR",
                () -> Stream.of("node-a", "node-b", "node-c").allMatch(nodes::hasCidr));

        List<String> cidrs = Stream.of("node-a", "node-b", "node-c").map(n -> nodes.podCidr(n).orElseThrow()).toList();
        assertThat(cidrs).doesNotHaveDuplicates()
                .allSatisfy(c -> {
                    Cidr cidr = Cidr.parse(c);
                    assertThat(cidr.prefixLength()).isEqualTo(24);
                    assertThat(Cidr.parse("10.244.0.0/16").contains(cidr.network())).as(c).isTrue();
                });
        assertThat(events(NodeCidrAllocator.REASON_EXHAUSTED)).isEmpty();
    }

    @Test
    void cidrsNodesAlreadyHoldAreKeptAndNotHandedOut() {
        nodes.createWithCidr("node-a", "10.244.0.0/24");
        nodes.createWithCidr("node-b", "10.244.2.0/24");
        nodes.create("node-c");
        nodes.create("node-d");
        start("10.244.0.0/16", 24);

        Eventually.until("node-c and node-d have pod CIDRs", () -> nodes.hasCidr("node-c") && nodes.hasCidr("node-d"));

        assertThat(nodes.podCidr("node-a")).contains("10.244.0.0/24");
        assertThat(nodes.podCidr("node-b")).contains("10.244.2.0/24");
        // Lowest free first: the gaps 1 and 3, in whichever order the two nodes came.
        assertThat(List.of(nodes.podCidr("node-c").orElseThrow(), nodes.podCidr("node-d").orElseThrow()))
                .containsExactlyInAnyOrder("10.244.1.0/24", "10.244.3.0/24");
    }

    @Test
    void aRestartedControllerRebuildsItsStateFromTheNodes() {
        nodes.create("node-a");
        nodes.create("node-b");
        start("10.244.0.0/16", 24);
        Eventually.until("both nodes have pod CIDRs", () -> nodes.hasCidr("node-a") && nodes.hasCidr("node-b"));
        String a = nodes.podCidr("node-a").orElseThrow();
        String b = nodes.podCidr("node-b").orElseThrow();
        controller.close();

        start("10.244.0.0/16", 24);
        nodes.create("node-c");
        Eventually.until("node-c has a pod CIDR", () -> nodes.hasCidr("node-c"));

        assertThat(nodes.podCidr("node-a")).contains(a);
        assertThat(nodes.podCidr("node-b")).contains(b);
        assertThat(nodes.podCidr("node-c").orElseThrow()).isNotIn(a, b);
    }

    @Test
    void exhaustionIsReportedAndADeletedNodesCidrIsReused() {
        nodes.create("node-a");
        nodes.create("node-b");
        // 10.244.0.0/23 holds two /24s.
        start("10.244.0.0/23", 24);
        Eventually.until("node-a and node-b have pod CIDRs", () -> nodes.hasCidr("node-a") && nodes.hasCidr("node-b"));
        String freed = nodes.podCidr("node-a").orElseThrow();

        nodes.create("node-c");
        Eventually.until("a CIDRNotAvailable event", () -> !events(NodeCidrAllocator.REASON_EXHAUSTED).isEmpty());
        Event event = events(NodeCidrAllocator.REASON_EXHAUSTED).get(0);
        assertThat(event.getInvolvedObject().getKind()).isEqualTo("Node");
        assertThat(event.getInvolvedObject().getName()).isEqualTo("node-c");
        assertThat(event.getType()).isEqualTo("Warning");
        assertThat(event.getMessage()).contains("10.244.0.0/23", "node-c", "exhausted");
        assertThat(nodes.hasCidr("node-c")).isFalse();

        nodes.delete("node-a");
        Eventually.until("node-c gets the freed CIDR", () -> nodes.hasCidr("node-c"));
        assertThat(nodes.podCidr("node-c")).contains(freed);
        assertThat(events(NodeCidrAllocator.REASON_EXHAUSTED)).hasSize(1);
    }

    @Test
    void aDeletedNodesCidrGoesToTheNextNewNode() {
        nodes.create("node-a");
        nodes.create("node-b");
        start("10.244.0.0/16", 24);
        Eventually.until("both nodes have pod CIDRs", () -> nodes.hasCidr("node-a") && nodes.hasCidr("node-b"));
        String freed = nodes.podCidr("node-a").orElseThrow();

        nodes.delete("node-a");
        // The release arrives with the delete event; create the new node after it.
        Eventually.until("node-a is gone", () -> client.nodes().withName("node-a").get() == null);
        Eventually.until("the controller released " + freed, () -> controllerReleased(freed));
        nodes.create("node-d");

        Eventually.until("node-d has a pod CIDR", () -> nodes.hasCidr("node-d"));
        assertThat(nodes.podCidr("node-d")).contains(freed);
    }

    /** Whether the controller holds {@code cidr} for no node any more. */
    private boolean controllerReleased(String cidr) {
        return controller.allocations().values().stream().map(Cidr::toString).noneMatch(cidr::equals);
    }

    @Test
    void aNodeWithACidrOutsideTheClusterCidrIsLeftAloneAndReported() {
        nodes.createWithCidr("node-foreign", "192.168.7.0/24");
        nodes.create("node-b");
        start("10.244.0.0/16", 24);

        Eventually.until("node-b has a pod CIDR", () -> nodes.hasCidr("node-b"));
        Eventually.until("a PodCIDROutsideClusterCIDR event",
                () -> !events(NodeCidrAllocator.REASON_FOREIGN).isEmpty());

        assertThat(nodes.podCidr("node-foreign")).contains("192.168.7.0/24");
        assertThat(nodes.podCidr("node-b")).contains("10.244.0.0/24");
        Event event = events(NodeCidrAllocator.REASON_FOREIGN).get(0);
        assertThat(event.getInvolvedObject().getName()).isEqualTo("node-foreign");
        assertThat(event.getMessage()).contains("node-foreign", "192.168.7.0/24", "10.244.0.0/16");
    }
}
