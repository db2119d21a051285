package io.trellis.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * `./trellis lab up --nodes 4` smoke test, as root: four distinct pod CIDRs from the controller, one pod pinned
 * to each node with spec.nodeName, every pair reachable on TCP 80, and `down` removing everything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabFourNodeTest {
    private static final int NODES = 4;

    private final Path home = Path.of("").toAbsolutePath().getParent();
    private Path labDir;
    private LabLauncher launcher;

    @BeforeAll
    void up() throws Exception {
        labDir = Files.createTempDirectory(Path.of("/tmp"), "tlab4n");
        launcher = new LabLauncher(home, labDir);
        launcher.check("up", "--nodes", Integer.toString(NODES));
    }

    @AfterAll
    void down() throws Exception {
        if (labDir != null && Files.exists(labDir)) {
            launcher.run("down");
        }
    }

    @Test
    @Order(1)
    void fourNodesGetDistinctCidrsAndOnePodPerNodeReachesEveryOther() throws Exception {
        Map<String, String> cidrs = new Lab(new LabPaths(labDir), new PrintStream(OutputStream.nullOutputStream()))
                .podCidrs();
        assertThat(cidrs).containsOnlyKeys("node-1", "node-2", "node-3", "node-4");
        assertThat(new HashSet<>(cidrs.values())).hasSize(NODES);

        StringBuilder manifest = new StringBuilder("apiVersion: v1\nkind: Namespace\nmetadata: {name: s}\n");
        for (int i = 1; i <= NODES; i++) {
            manifest.append("""
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: p%1$d, namespace: s}
                    spec: {nodeName: node-%1$d, containers: [{name: w, image: builtin}]}
                    """.formatted(i));
        }
        Path file = labDir.resolve("spread.yaml");
        Files.writeString(file, manifest);
        launcher.check("apply", "-f", file.toString(), "--wait", "--timeout", "120");
        List<String> rows = launcher.check("get", "pods").stdout().lines().skip(1).toList();
        assertThat(rows).hasSize(NODES);
        for (String row : rows) {
            String[] cols = row.split("\\s+");   // NAMESPACE NAME NODE IP STATUS
            assertThat(cols[2]).isEqualTo("node-" + cols[1].substring(1));
            String cidr = cidrs.get(cols[2]);
            assertThat(cols[3]).startsWith(cidr.substring(0, cidr.lastIndexOf('.') + 1));
            assertThat(cols[4]).isEqualTo("Running");
        }

        JsonNode probe = launcher.probe(80, "tcp", 3000);
        List<String> failed = new ArrayList<>();
        Set<String> pairs = new HashSet<>();
        for (JsonNode r : probe.path("results")) {
            pairs.add(r.path("from").asString() + ">" + r.path("to").asString());
            if (!r.path("ok").asBoolean()) {
                failed.add(r.path("from").asString() + " -> " + r.path("to").asString());
            }
        }
        assertThat(pairs).hasSize(NODES * (NODES - 1));
        assertThat(failed).as("tcp/80 failures").isEmpty();
    }

    @Test
    @Order(2)
    void downRemovesAllFourNodes() throws Exception {
        LabState state = LabState.load(labDir.resolve("lab.json")).orElseThrow();
        launcher.check("down");
        Shell shell = new Shell();
        assertThat(shell.namespaces()).noneMatch(ns -> ns.startsWith(state.prefix()));
        assertThat(shell.check("ip", "-o", "link", "show")).doesNotContain(state.prefix());
        assertThat(new Processes(labDir).labProcesses()).isEmpty();
        assertThat(labDir).doesNotExist();
    }
}
