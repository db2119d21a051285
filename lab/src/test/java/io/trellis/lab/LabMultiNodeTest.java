package io.trellis.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.lab.LabState.NodeState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The multi-node lab with the ovs backend (the default): the {@link PodConnectivitySuite} on three nodes, with
 * OVS's own evidence. The matrix's pod traffic crosses the underlay only as Geneve, between every ordered pair of
 * nodes; a removed Node's pod CIDR leaves the others' br-int flow tables and gateway routes and comes back with it;
 * an agent restart leaves br-int's flows as they were; every node runs its ovsdb-server and ovs-vswitchd until
 * {@code down}. Also a controller killed and restarted keeps the Nodes' pod CIDRs and allocates fresh ones.
 */
class LabMultiNodeTest extends PodConnectivitySuite {
    private static final Pattern GENEVE = Pattern.compile(
            "IP (10\\.250\\.0\\.\\d+)\\.\\d+ > (10\\.250\\.0\\.\\d+)\\.6081: Geneve.*IP (10\\.244\\.\\d+\\.\\d+)\\.\\d+ > "
                    + "(10\\.244\\.\\d+\\.\\d+)\\.\\d+");

    @Override
    protected String backend() {
        return "ovs";
    }

    /** Every ordered pair of nodes exchanged Geneve packets carrying pod-to-pod packets, and nothing else crossed. */
    @Override
    protected void assertUnderlayCarriedPodTraffic(Path pcap, Set<String> nodeIps) {
        Set<Pair> tunnelled = new HashSet<>();
        for (String line : readCapture(pcap, "udp port 6081")) {
            Matcher m = GENEVE.matcher(line);
            if (m.find()) {
                tunnelled.add(new Pair(m.group(1), m.group(2)));
            }
        }
        assertThat(tunnelled).as("node pairs with Geneve-encapsulated pod traffic").isEqualTo(orderedPairs(nodeIps));
        // Nothing else went over IPv4 on the underlay: no pod address in the clear, no other protocol.
        assertThat(readCapture(pcap, "ip and net 10.244.0.0/16")).as("pod packets not encapsulated").isEmpty();
        assertThat(readCapture(pcap, "ip and not udp port 6081")).as("other IPv4 packets on the underlay").isEmpty();
    }

    /** Routed: br-int has flows to the CIDR and the node a gateway route to it; absent: neither names it. */
    @Override
    protected Routing routing(NodeState observer, String cidr) {
        String flows = flows(observer);
        String routes = routes(observer);
        if (flows.contains("nw_dst=" + cidr) && routes.contains(cidr + " via ")) {
            return Routing.ROUTED;
        }
        return !flows.contains(cidr) && !routes.contains(cidr) ? Routing.ABSENT : Routing.PARTIAL;
    }

    /**
     * br-int's flows without their counters and ages, sorted. The NetworkPolicy stages' generation flows
     * (priority 260, a ct_mark bit that each agent run starts at random and moves on every policy change, see
     * PolicyFlows#generationFlows) keep their place with the bit blanked.
     */
    @Override
    protected List<String> dataPlaneState(NodeState node) {
        return flows(node).lines().filter(l -> l.contains("cookie="))
                .map(l -> l.replaceAll("\\b(duration|n_packets|n_bytes|idle_age|hard_age)=[^,]*, ?", "").strip())
                .map(l -> l.replaceAll("(priority=260,ct_state=-trk,ct_mark=)0x[0-9a-f]+/0x[0-9a-f]+", "$1GENERATION"))
                .sorted().toList();
    }

    /** The node's ovsdb-server and ovs-vswitchd. */
    @Override
    protected List<Long> backendProcesses(NodeState node) {
        Path ovs = labDir.resolve("nodes").resolve(node.name()).resolve("ovs");
        return List.of(Processes.readPidFile(ovs.resolve("ovsdb-server.pid")),
                Processes.readPidFile(ovs.resolve("ovs-vswitchd.pid")));
    }

    @Test
    @Order(50)
    void aRestartedControllerKeepsTheAllocationsAndAllocatesFreshOnes() throws Exception {
        Map<String, String> before = lab().podCidrs();
        assertThat(before).hasSize(NODES);
        long pid = currentState().controllerPid();
        ProcessHandle controller = ProcessHandle.of(pid).orElseThrow();
        controller.destroyForcibly();   // SIGKILL: no orderly Lease release
        assertThat(controller.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();

        LabLauncher.Run restart = launcher.check("restart", "controller");
        assertThat(restart.stdout()).contains("controller restarted");
        long newPid = currentState().controllerPid();
        assertThat(newPid).isNotEqualTo(pid);
        assertThat(ProcessHandle.of(newPid).map(ProcessHandle::isAlive)).contains(true);
        assertThat(lab().podCidrs()).isEqualTo(before);
        assertThat(launcher.check("logs", "controller").stdout())
                .contains(NODES + " node pod CIDRs of cluster CIDR 10.244.0.0/16 already in use");

        Node extra = new NodeBuilder().withNewMetadata().withName("node-extra").endMetadata().withNewSpec().endSpec()
                .build();
        try (KubernetesClient client = lab().client()) {
            client.nodes().resource(extra).create();
            try {
                awaitTrue("node-extra gets a pod CIDR", NODE_CHANGE, () -> lab().podCidrs().containsKey("node-extra"));
                String fresh = lab().podCidrs().get("node-extra");
                assertThat(fresh).matches("10\\.244\\.\\d+\\.0/24");
                assertThat(before.values()).doesNotContain(fresh);
                assertThat(lab().podCidrs()).containsAllEntriesOf(before);
            } finally {
                client.nodes().withName("node-extra").delete();
            }
        }
    }

    @Test
    @Order(70)
    void everyNodeRunsItsOwnOvsAndTheAgentConfigNamesIt() throws Exception {
        for (NodeState node : state.nodes()) {
            assertThat(backendProcesses(node)).as("%s's OVS daemons", node.name())
                    .allSatisfy(pid -> assertThat(alive(pid)).as("pid %d", pid).isTrue());
            String config = Files.readString(labDir.resolve("nodes").resolve(node.name()).resolve("trellis-agent.yaml"));
            assertThat(config).contains("podInterface: ovs", "nodeRoutes: ovs", "ovsdbSocket: ");
            // The agent moved the InternalIP onto br-ex, as the userspace datapath's native tunnelling needs.
            assertThat(shell.check("ip", "-n", node.netns(), "-4", "-o", "addr", "show", "dev", "br-ex"))
                    .contains(node.internalIp() + "/");
        }
    }

    /** br-int's flow table on a node, as ovs-ofctl prints it. */
    private String flows(NodeState node) {
        String mgmt = "unix:" + labDir.resolve("nodes").resolve(node.name()).resolve("ovs").resolve("br-int.mgmt");
        return shell.check(Shell.inNetns(node.netns(), "ovs-ofctl", "-O", "OpenFlow15", "dump-flows", mgmt), Map.of());
    }
}
