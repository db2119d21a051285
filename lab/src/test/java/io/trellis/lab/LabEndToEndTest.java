package io.trellis.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
 * The lab end to end, through the `./trellis lab` launcher, as root: one node with its own OVS and the real
 * agent, three pods in two namespaces, the reachability matrix on TCP 80 and UDP 81, exec, pod deletion and a
 * `down` that leaves nothing behind. Without root, OVS or a built tree it fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabEndToEndTest {
    private static final String PODS = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: x}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: y}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: x}
            spec:
              containers:
              - name: w
                image: builtin
                ports: [{containerPort: 80}, {containerPort: 81, protocol: UDP}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: b, namespace: x}
            spec: {containers: [{name: w, image: builtin}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: y}
            spec: {containers: [{name: w, image: builtin}]}
            """;
    private static final Set<String> PAIRS = Set.of("x/a>x/b", "x/a>y/a", "x/b>x/a", "x/b>y/a", "y/a>x/a", "y/a>x/b");

    private final Path home = Path.of("").toAbsolutePath().getParent();
    private Path labDir;
    private String prefix;

    @BeforeAll
    void up() throws Exception {
        labDir = Files.createTempDirectory(Path.of("/tmp"), "tlab");
        LabLauncher.Run up = lab("up", "--nodes", "1");
        assertThat(up.exitCode()).as("lab up: %s%s", up.stdout(), up.stderr()).isZero();
        prefix = LabState.load(labDir.resolve("lab.json")).orElseThrow().prefix();
        Files.writeString(labDir.resolve("pods.yaml"), PODS);
    }

    @AfterAll
    void down() throws Exception {
        if (labDir != null && Files.exists(labDir)) {
            lab("down");
        }
    }

    @Test
    @Order(1)
    void podsRunWithAddressesFromTheNodeCidr() throws Exception {
        LabLauncher.Run apply = lab("apply", "-f", labDir.resolve("pods.yaml").toString(), "--wait", "--timeout", "120");
        assertThat(apply.exitCode()).as("apply: %s%s", apply.stdout(), apply.stderr()).isZero();
        assertThat(apply.stdout()).contains("pod/x/a created", "pod/y/a created", "3 pod(s) running");
        // node-1's pod CIDR is the controller's choice: read it back from the Node.
        String cidr = lab("get", "nodes").stdout().lines().filter(l -> l.startsWith("node-1 ")).findFirst()
                .orElseThrow().split("\\s+")[1];
        assertThat(cidr).matches("10\\.244\\.\\d+\\.0/24");
        String podPattern = java.util.regex.Pattern.quote(cidr.substring(0, cidr.lastIndexOf('.') + 1)) + "\\d+";
        LabLauncher.Run get = lab("get", "pods");
        assertThat(get.stdout().lines().skip(1).toList()).hasSize(3)
                .allSatisfy(line -> assertThat(line).contains("node-1").contains("Running").containsPattern(podPattern));
        for (String pod : List.of("x.a", "x.b", "y.a")) {
            assertThat(namespaces()).contains(prefix + "-pod-" + pod);
        }
    }

    @Test
    @Order(2)
    void everyPairReachesEveryOtherOnTcp80AndUdp81() throws Exception {
        assertAllReachable(probeJson("80", "tcp"), 80, "tcp");
        assertAllReachable(probeJson("81", "udp"), 81, "udp");
    }

    @Test
    @Order(3)
    void probeReportsUnreachablePairs() throws Exception {
        // Nothing listens on 82: the probe must say so, or an all-ok matrix would mean nothing.
        JsonNode result = probeJson("82", "tcp");
        assertThat(result.path("results")).hasSize(6).allSatisfy(r -> assertThat(r.path("ok").asBoolean()).isFalse());
        LabLauncher.Run table = lab("probe", "--port", "80");
        assertThat(table.stdout()).contains("6 of 6 pairs reachable on tcp/80").contains("FROM \\ TO");
    }

    @Test
    @Order(4)
    void execRunsInThePodNamespace() throws Exception {
        String ip = lab("get", "pods").stdout().lines().filter(l -> l.startsWith("x ") && l.contains(" a "))
                .findFirst().orElseThrow().split("\\s+")[3];
        LabLauncher.Run exec = lab("exec", "x/a", "--", "ip", "-4", "-o", "addr", "show", "dev", "eth0");
        assertThat(exec.exitCode()).isZero();
        assertThat(exec.stdout()).contains("inet " + ip + "/24");
        assertThat(lab("exec", "x/a", "--", "sh", "-c", "exit 7").exitCode()).isEqualTo(7);
        assertThat(lab("exec", "x/nope", "--", "true").exitCode()).isEqualTo(1);
    }

    @Test
    @Order(5)
    void invalidObjectsAreRejectedWithTheField() throws Exception {
        Path bad = labDir.resolve("bad.yaml");
        Files.writeString(bad, """
                apiVersion: v1
                kind: Pod
                metadata: {name: Bad_Name, namespace: x}
                spec: {containers: [{name: w, image: builtin, ports: [{containerPort: 70000}]}]}
                """);
        LabLauncher.Run run = lab("apply", "-f", bad.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("metadata.name 'Bad_Name'").contains("spec.containers[0].ports[0].containerPort 70000");
        assertThat(lab("get", "pods").stdout()).doesNotContain("Bad_Name");
    }

    @Test
    @Order(6)
    void deletingAPodRemovesItsNamespace() throws Exception {
        Path one = labDir.resolve("b.yaml");
        Files.writeString(one, """
                apiVersion: v1
                kind: Pod
                metadata: {name: b, namespace: x}
                spec: {containers: [{name: w, image: builtin}]}
                """);
        LabLauncher.Run delete = lab("delete", "-f", one.toString());
        assertThat(delete.exitCode()).as(delete.stderr()).isZero();
        assertThat(namespaces()).doesNotContain(prefix + "-pod-x.b").contains(prefix + "-pod-x.a", prefix + "-pod-y.a");
        JsonNode probe = probeJson("80", "tcp");
        assertThat(probe.path("results")).hasSize(2).allSatisfy(r -> assertThat(r.path("ok").asBoolean()).isTrue());
    }

    @Test
    @Order(7)
    void downLeavesNothingBehind() throws Exception {
        LabState state = LabState.load(labDir.resolve("lab.json")).orElseThrow();
        List<Long> pids = new ArrayList<>(List.of(state.apiServerPid(), state.controllerPid(), state.daemonPid(),
                state.nodes().get(0).agentPid()));
        Path ovs = labDir.resolve("nodes/node-1/ovs");
        pids.add(Processes.readPidFile(ovs.resolve("ovsdb-server.pid")));
        pids.add(Processes.readPidFile(ovs.resolve("ovs-vswitchd.pid")));
        assertThat(pids).allSatisfy(pid -> assertThat(alive(pid)).as("pid %d before down", pid).isTrue());

        LabLauncher.Run down = lab("down");
        assertThat(down.exitCode()).as(down.stderr()).isZero();
        assertThat(namespaces()).noneMatch(ns -> ns.startsWith(prefix));
        assertThat(new Shell().check("ip", "-o", "link", "show")).doesNotContain(prefix);
        assertThat(pids).allSatisfy(pid -> assertThat(alive(pid)).as("pid %d after down", pid).isFalse());
        assertThat(new Processes(labDir).labProcesses()).isEmpty();
        assertThat(labDir).doesNotExist();

        LabLauncher.Run notUp = lab("get", "pods");
        assertThat(notUp.exitCode()).isEqualTo(3);
        assertThat(notUp.stderr()).contains("the lab is not up");
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private void assertAllReachable(JsonNode result, int port, String protocol) {
        assertThat(result.path("port").asInt()).isEqualTo(port);
        assertThat(result.path("protocol").asString()).isEqualTo(protocol);
        Set<String> pairs = new HashSet<>();
        for (JsonNode r : result.path("results")) {
            assertThat(r.propertyNames()).containsExactly("from", "to", "ok");
            assertThat(r.path("ok").asBoolean()).as("%s %s -> %s", protocol, r.path("from"), r.path("to")).isTrue();
            pairs.add(r.path("from").asString() + ">" + r.path("to").asString());
        }
        assertThat(result.path("results")).hasSize(6);
        assertThat(pairs).isEqualTo(PAIRS);
    }

    private JsonNode probeJson(String port, String protocol) throws Exception {
        LabLauncher.Run probe = lab("probe", "--port", port, "--protocol", protocol, "-o", "json");
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        String line = probe.stdout().strip();
        assertThat(line).startsWith("{\"port\":" + port + ",\"protocol\":\"" + protocol + "\",\"results\":[");
        return Serialization.jsonMapper().readTree(line);
    }

    private List<String> namespaces() {
        return new Shell().namespaces();
    }

    private LabLauncher.Run lab(String... args) throws IOException, InterruptedException {
        return new LabLauncher(home, labDir).run(args);
    }
}
