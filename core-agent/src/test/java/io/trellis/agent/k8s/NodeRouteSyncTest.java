package io.trellis.agent.k8s;

import static io.trellis.agent.k8s.NodeReaderTest.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.trellis.spi.node.NodeInfo;
import io.trellis.spi.node.NodeRouteDriver;
import io.trellis.spi.node.NodeRouteException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The agent's Node informer drives a NodeRouteDriver: full syncs, then one call per Node event. */
@EnableKubernetesMockClient(crud = true)
class NodeRouteSyncTest {
    KubernetesClient client;

    /** Records every call as text, in order; can be told to fail the next upsert. */
    static final class RecordingDriver implements NodeRouteDriver {
        final List<String> calls = new ArrayList<>();
        boolean failNextUpsert;

        @Override
        public int encapsulationOverhead() {
            return 50;
        }

        @Override
        public synchronized void localNode(NodeInfo local) {
            calls.add("local " + describe(local));
        }

        @Override
        public synchronized void replaceAll(Collection<NodeInfo> remotes) {
            calls.add("replaceAll " + remotes.stream().map(RecordingDriver::describe).sorted().toList());
        }

        @Override
        public synchronized void upsertNode(NodeInfo remote) {
            if (failNextUpsert) {
                failNextUpsert = false;
                calls.add("failed upsert " + remote.name());
                throw new NodeRouteException("switch unavailable");
            }
            calls.add("upsert " + describe(remote));
        }

        @Override
        public synchronized void removeNode(String nodeName) {
            calls.add("remove " + nodeName);
        }

        synchronized List<String> snapshot() {
            return List.copyOf(calls);
        }

        static String describe(NodeInfo n) {
            return n.name() + " " + n.addresses().stream().map(InetAddress::getHostAddress).toList() + " "
                    + n.podCidrs().stream().map(Object::toString).toList();
        }
    }

    @Test
    void fullSyncAtStartThenOneCallPerNodeEvent() throws InterruptedException {
        client.nodes().resource(node("node-1", List.of("10.244.1.0/24"), "192.168.5.1")).create();
        client.nodes().resource(node("node-2", List.of("10.244.2.0/24"), "192.168.5.2")).create();
        client.nodes().resource(node("node-3", List.of(), "192.168.5.3")).create();
        RecordingDriver driver = new RecordingDriver();

        try (NodeRouteSync sync = new NodeRouteSync(client, "node-1", driver, Duration.ofMinutes(10))) {
            sync.start(Duration.ofSeconds(10));
            // The first full sync: this node to localNode, the others (node-3 without a CIDR included) to replaceAll.
            assertThat(driver.snapshot()).containsSubsequence("local node-1 [192.168.5.1] [10.244.1.0/24]",
                    "replaceAll [node-2 [192.168.5.2] [10.244.2.0/24], node-3 [192.168.5.3] []]");

            // Added
            client.nodes().resource(node("node-4", List.of("10.244.4.0/24"), "192.168.5.4")).create();
            awaitCall(driver, "upsert node-4 [192.168.5.4] [10.244.4.0/24]"::equals);
            // Changed: node-3 gets its pod CIDR
            client.nodes().withName("node-3").edit(n -> {
                n.getSpec().setPodCIDRs(List.of("10.244.3.0/24"));
                return n;
            });
            awaitCall(driver, "upsert node-3 [192.168.5.3] [10.244.3.0/24]"::equals);
            // Deleted
            client.nodes().withName("node-2").delete();
            awaitCall(driver, "remove node-2"::equals);
            // This node's own change goes to localNode, never to the remote calls.
            client.nodes().withName("node-1").edit(n -> {
                n.getMetadata().setLabels(java.util.Map.of("zone", "a"));
                return n;
            });
            awaitCall(driver, c -> c.equals("local node-1 [192.168.5.1] [10.244.1.0/24]")
                    && driver.snapshot().indexOf(c) != driver.snapshot().lastIndexOf(c));
            assertThat(driver.snapshot()).noneMatch(c -> c.startsWith("upsert node-1") || c.startsWith("remove node-1"));
        }
    }

    @Test
    void aNodeLosingItsInternalIpIsRemovedAndAFailedCallLeadsToAFullSync() throws InterruptedException {
        client.nodes().resource(node("node-1", List.of("10.244.1.0/24"), "192.168.5.1")).create();
        client.nodes().resource(node("node-2", List.of("10.244.2.0/24"), "192.168.5.2")).create();
        RecordingDriver driver = new RecordingDriver();

        try (NodeRouteSync sync = new NodeRouteSync(client, "node-1", driver, Duration.ofMinutes(10))) {
            sync.start(Duration.ofSeconds(10));
            client.nodes().withName("node-2").edit(n -> {
                n.getStatus().getAddresses().removeIf(a -> a.getType().equals("InternalIP"));
                return n;
            });
            awaitCall(driver, "remove node-2"::equals);

            driver.failNextUpsert = true;
            client.nodes().resource(node("node-5", List.of("10.244.5.0/24"), "192.168.5.5")).create();
            awaitCall(driver, "failed upsert node-5"::equals);
            // The SPI's recovery: the whole current set again, soon after the failure.
            int failedAt = driver.snapshot().indexOf("failed upsert node-5");
            awaitCall(driver, c -> c.equals("replaceAll [node-5 [192.168.5.5] [10.244.5.0/24]]")
                    && driver.snapshot().lastIndexOf(c) > failedAt);
        }
    }

    private static void awaitCall(RecordingDriver driver, Predicate<String> call) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (driver.snapshot().stream().anyMatch(call)) {
                return;
            }
            Thread.sleep(20);
        }
        assertThat(driver.snapshot()).as("driver calls").anyMatch(call);
    }
}
