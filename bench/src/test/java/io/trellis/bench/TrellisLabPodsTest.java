package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TrellisLabPodsTest {

    @Test
    void theManifestPinsClientAndServerToDifferentNodes() {
        String[] docs = TrellisLabPods.manifest().split("(?m)^---$");

        assertThat(docs).hasSize(3);
        assertThat(docs[0]).contains("kind: Namespace").contains("name: " + TrellisLabPods.NAMESPACE);
        String client = Arrays.stream(docs).filter(d -> d.contains("name: " + TrellisLabPods.CLIENT)).findFirst()
                .orElseThrow();
        String server = Arrays.stream(docs).filter(d -> d.contains("name: " + TrellisLabPods.SERVER)).findFirst()
                .orElseThrow();
        assertThat(client).contains("kind: Pod").contains("namespace: " + TrellisLabPods.NAMESPACE)
                .contains("nodeName: node-1");
        assertThat(server).contains("kind: Pod").contains("namespace: " + TrellisLabPods.NAMESPACE)
                .contains("nodeName: node-2");
    }

    @Test
    void checksTheNodeColumnOfGetPods() {
        String table = """
                NAMESPACE      NAME          NODE    IP           STATUS
                overlay-bench  iperf-client  node-1  10.244.1.2   Running
                overlay-bench  iperf-server  node-1  10.244.1.3   Running
                x              a             node-2  10.244.2.2   Running
                """;

        TrellisLabPods.expectNode(table, "iperf-client", "node-1");
        assertThatThrownBy(() -> TrellisLabPods.expectNode(table, "iperf-server", "node-2"))
                .hasMessage("pod overlay-bench/iperf-server is Running on node-1, expected Running on node-2");
        assertThatThrownBy(() -> TrellisLabPods.expectNode(table, "other", "node-2"))
                .hasMessageStartingWith("pod overlay-bench/other not in `lab get pods`");
    }
}
