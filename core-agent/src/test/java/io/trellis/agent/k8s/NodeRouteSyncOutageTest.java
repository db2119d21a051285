package io.trellis.agent.k8s;

import static io.trellis.agent.k8s.NodeReaderTest.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.agent.k8s.NodeRouteSyncTest.RecordingDriver;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * NodeRouteSync across an API server outage: the driver keeps the remote nodes it had while the
 * server is unreachable, and gets the complete current set, changes made meanwhile included,
 * within seconds of the server answering again (the mock server, like a server whose watch cannot
 * replay the missed events, would otherwise leave a deleted Node in place for good).
 */
class NodeRouteSyncOutageTest {
    private static final String NODE_2 = "node-2 [192.168.5.2] [10.244.2.0/24]";
    private static final String NODE_3 = "node-3 [192.168.5.3] [10.244.3.0/24]";
    private static final String NODE_4 = "node-4 [192.168.5.4] [10.244.4.0/24]";

    @Test
    void theDriverKeepsItsNodesDuringAnOutageAndGetsTheCurrentSetSoonAfter() throws Exception {
        try (RestartableApiServer api = new RestartableApiServer(); KubernetesClient client = api.newClient()) {
            api.admin().nodes().resource(node("node-1", List.of("10.244.1.0/24"), "192.168.5.1")).create();
            api.admin().nodes().resource(node("node-2", List.of("10.244.2.0/24"), "192.168.5.2")).create();
            api.admin().nodes().resource(node("node-3", List.of("10.244.3.0/24"), "192.168.5.3")).create();
            RecordingDriver driver = new RecordingDriver();
            // A full sync every second, so that several happen during the outage.
            try (NodeRouteSync sync = new NodeRouteSync(client, "node-1", driver, Duration.ofSeconds(1))) {
                sync.start(Duration.ofSeconds(10));
                assertThat(driver.snapshot()).contains("replaceAll [" + NODE_2 + ", " + NODE_3 + "]");

                api.stop();
                int down = driver.snapshot().size();
                // Changed while the agent cannot see it: node-2 leaves, node-4 joins.
                api.admin().nodes().withName("node-2").delete();
                api.admin().nodes().resource(node("node-4", List.of("10.244.4.0/24"), "192.168.5.4")).create();
                Thread.sleep(4000);
                List<String> duringOutage = driver.snapshot().subList(down, driver.snapshot().size());
                assertThat(duringOutage).as("full syncs go on during the outage").isNotEmpty()
                        .allMatch(c -> c.equals("local node-1 [192.168.5.1] [10.244.1.0/24]")
                                || c.equals("replaceAll [" + NODE_2 + ", " + NODE_3 + "]"),
                                "the last known nodes, nothing removed");

                api.restart();
                long back = System.nanoTime();
                String current = "replaceAll [" + NODE_3 + ", " + NODE_4 + "]";
                while (!driver.snapshot().subList(down, driver.snapshot().size()).contains(current)) {
                    assertThat(Duration.ofNanos(System.nanoTime() - back)).as("resync after the API server is back; "
                            + "calls so far: %s", driver.snapshot()).isLessThan(Duration.ofSeconds(10));
                    Thread.sleep(50);
                }
                long resynced = System.nanoTime();
                Thread.sleep(2500);
                // Later full syncs (every second) agree: node-2 stays gone.
                List<String> after = driver.snapshot();
                assertThat(after.get(after.size() - 1)).isIn(current, "local node-1 [192.168.5.1] [10.244.1.0/24]");
                assertThat(after.stream().filter(c -> c.startsWith("replaceAll")).reduce((a, b) -> b).orElseThrow())
                        .isEqualTo(current);
                System.out.printf("node routes resynced %d ms after the API server was back%n",
                        (resynced - back) / 1_000_000);
            }
        }
    }
}
