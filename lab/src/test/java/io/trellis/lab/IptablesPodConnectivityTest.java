package io.trellis.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.trellis.lab.LabState.NodeState;
import io.trellis.lab.node.AgentConfigYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The {@link PodConnectivitySuite} on a three-node lab with the iptables backend ({@code lab up --backend
 * iptables}: linux-bridge pod interfaces, vxlan node routes, no OVS), with the kernel's own evidence: the matrix's
 * pod traffic crosses the underlay only as VXLAN (VNI 1, UDP 4789) between every ordered pair of nodes; each node
 * has the bridge with the pod CIDR's gateway and one veth per local pod, the VXLAN device on eth0 (which keeps the
 * InternalIP) with an FDB entry per remote node and packets counted both ways, its chains in the node namespace and
 * no OVS process; a removed Node's pod CIDR leaves the others' routes and ARP entries and comes back; an agent
 * restart leaves chains, routes, FDB and ARP entries and devices as they were; {@code trellis-agent --uninstall}
 * leaves no Trellis chain in iptables-save, no device and no route of the backend, and a start sets the node up
 * again.
 */
class IptablesPodConnectivityTest extends PodConnectivitySuite {
    private static final String BRIDGE = AgentConfigYaml.LINUX_BRIDGE;
    private static final String VXLAN = AgentConfigYaml.VXLAN_DEVICE;
    /** tcpdump prints the VXLAN header, then the inner frame on the next line. */
    private static final Pattern VXLAN_OUTER = Pattern.compile(
            "IP (10\\.250\\.0\\.\\d+)\\.\\d+ > (10\\.250\\.0\\.\\d+)\\.4789: VXLAN, flags \\[I\\] \\(0x08\\), vni (\\d+)");
    private static final Pattern POD_PACKET = Pattern.compile(
            "IP (10\\.244\\.\\d+\\.\\d+)\\.\\d+ > (10\\.244\\.\\d+\\.\\d+)\\.\\d+");
    /** The vxlan backend's routes (VxlanNodeRouteDriver.RTPROT_TRELLIS_VXLAN). */
    private static final String ROUTE_PROTOCOL = "117";

    @Override
    protected String backend() {
        return "iptables";
    }

    /** Every ordered pair of nodes exchanged VXLAN packets (VNI 1) carrying pod-to-pod packets, nothing else crossed. */
    @Override
    protected void assertUnderlayCarriedPodTraffic(Path pcap, Set<String> nodeIps) {
        List<String> lines = readCapture(pcap, "udp port " + AgentConfigYaml.VXLAN_PORT);
        Set<Pair> tunnelled = new HashSet<>();
        Set<String> vnis = new TreeSet<>();
        for (int i = 0; i + 1 < lines.size(); i++) {
            Matcher outer = VXLAN_OUTER.matcher(lines.get(i));
            Matcher inner = POD_PACKET.matcher(lines.get(i + 1));
            if (outer.find() && inner.find()) {
                tunnelled.add(new Pair(outer.group(1), outer.group(2)));
                vnis.add(outer.group(3));
            }
        }
        assertThat(tunnelled).as("node pairs with VXLAN-encapsulated pod traffic").isEqualTo(orderedPairs(nodeIps));
        assertThat(vnis).containsExactly(Integer.toString(AgentConfigYaml.VXLAN_VNI));
        assertThat(readCapture(pcap, "ip and net 10.244.0.0/16")).as("pod packets not encapsulated").isEmpty();
        assertThat(readCapture(pcap, "ip and not udp port " + AgentConfigYaml.VXLAN_PORT))
                .as("other IPv4 packets on the underlay").isEmpty();
    }

    /**
     * Routed: a route of the backend's protocol to the CIDR via its network address on the VXLAN device and a
     * permanent ARP entry for that address; absent: neither.
     */
    @Override
    protected Routing routing(NodeState observer, String cidr) {
        String vtep = cidr.substring(0, cidr.indexOf('/'));
        boolean route = backendRoutes(observer).stream()
                .anyMatch(l -> l.startsWith(cidr + " via " + vtep + " dev " + VXLAN + " "));
        boolean arp = vxlanArp(observer).stream().anyMatch(l -> l.startsWith(vtep + " lladdr ") && l.contains("PERMANENT"));
        if (route && arp) {
            return Routing.ROUTED;
        }
        boolean anyRoute = backendRoutes(observer).stream().anyMatch(l -> l.contains(cidr));
        boolean anyArp = vxlanArp(observer).stream().anyMatch(l -> l.startsWith(vtep + " "));
        return !anyRoute && !anyArp ? Routing.ABSENT : Routing.PARTIAL;
    }

    /**
     * iptables-save without counters and its timestamp comments (in the order the kernel has the rules, so a
     * duplicate shows), the IPv4 routes, the VXLAN device's FDB and ARP entries, the bridge's ports, both devices
     * (index, MAC, MTU, flags, VXLAN parameters) and ip_forward.
     */
    @Override
    protected List<String> dataPlaneState(NodeState node) {
        List<String> lines = new ArrayList<>();
        inNode(node, "iptables-save").lines().filter(l -> !l.startsWith("#"))
                .map(l -> l.replaceAll("\\[\\d+:\\d+]", "[]")).forEach(lines::add);
        lines.addAll(routes(node).lines().toList());
        lines.addAll(fdb(node));
        lines.addAll(vxlanArp(node));
        lines.addAll(shell.check("ip", "-n", node.netns(), "-o", "link", "show", "master", BRIDGE).lines()
                .map(l -> "port " + l.replaceFirst("^\\d+: ", "").replaceFirst(":.*", "")).sorted().toList());
        for (String device : List.of(BRIDGE, VXLAN)) {
            // Not -d's text: the bridge's details include running timers.
            JsonNode link = linkJson(node, device);
            lines.add(device + " index " + link.path("ifindex") + " mac " + link.path("address") + " mtu "
                    + link.path("mtu") + " flags " + link.path("flags") + " " + link.path("linkinfo").path("info_kind")
                    + (device.equals(VXLAN) ? " " + link.path("linkinfo").path("info_data") : ""));
        }
        lines.add("ip_forward=" + inNode(node, "sysctl", "-n", "net.ipv4.ip_forward").strip());
        return lines;
    }

    @Test
    @Order(25)
    void everyNodeHasTheBridgeTheVxlanDeviceAndItsChainsAndNoOvs() throws Exception {
        Map<String, String> cidrs = lab().podCidrs();
        for (NodeState node : state.nodes()) {
            String name = node.name();
            String config = Files.readString(labDir.resolve("nodes").resolve(name).resolve("trellis-agent.yaml"));
            assertThat(config).contains("podInterface: linux-bridge", "nodeRoutes: vxlan",
                    "clusterCidr: " + LabController.CLUSTER_CIDR).doesNotContain("ovs");
            assertThat(labDir.resolve("nodes").resolve(name).resolve("ovs")).doesNotExist();

            // eth0 keeps the InternalIP (the ovs lab moves it onto br-ex).
            assertThat(shell.check("ip", "-n", node.netns(), "-4", "-o", "addr", "show", "dev", "eth0"))
                    .as("%s eth0", name).contains(node.internalIp() + "/24");
            assertThat(inNode(node, "sysctl", "-n", "net.ipv4.ip_forward").strip()).as("%s ip_forward", name)
                    .isEqualTo("1");

            // The bridge: the pod CIDR's gateway address, one veth per pod of this node, each pod routed via it.
            String cidr = cidrs.get(name);
            String gateway = cidr.replaceFirst("\\.0/24$", ".1");
            assertThat(linkJson(node, BRIDGE).path("linkinfo").path("info_kind").asString()).isEqualTo("bridge");
            assertThat(shell.check("ip", "-n", node.netns(), "-4", "-o", "addr", "show", "dev", BRIDGE))
                    .contains(gateway + "/24");
            JsonNode ports = Serialization.jsonMapper().readTree(shell.check("ip", "-n", node.netns(), "-d", "-j",
                    "link", "show", "master", BRIDGE));
            List<String> localPods = pods.entrySet().stream().filter(e -> e.getValue().node().equals(name))
                    .map(Map.Entry::getKey).toList();
            assertThat(ports).as("%s's bridge ports", name).hasSize(localPods.size());
            for (JsonNode port : ports) {
                assertThat(port.path("linkinfo").path("info_kind").asString()).as("port %s", port.path("ifname"))
                        .isEqualTo("veth");
            }
            for (String pod : localPods) {
                assertThat(shell.check(inPod(pod, "ip", "-4", "route", "show", "default"), Map.of()))
                        .as("%s's default route", pod).contains("default via " + gateway + " dev eth0");
                assertThat(shell.check(inPod(pod, "ip", "-o", "link", "show", "eth0"), Map.of()))
                        .as("%s's MTU: 1500 minus VXLAN's 50", pod).contains(" mtu 1450 ");
            }

            // The VXLAN device: VNI, port, local address and lower device eth0, no learning, an FDB entry per remote
            // node, packets counted both ways (the matrix crossed it).
            JsonNode vxlan = linkJson(node, VXLAN).path("linkinfo");
            assertThat(vxlan.path("info_kind").asString()).isEqualTo("vxlan");
            JsonNode data = vxlan.path("info_data");
            assertThat(data.path("id").asInt()).isEqualTo(AgentConfigYaml.VXLAN_VNI);
            assertThat(data.path("port").asInt()).isEqualTo(AgentConfigYaml.VXLAN_PORT);
            assertThat(data.path("local").asString()).isEqualTo(node.internalIp());
            assertThat(data.path("link").asString()).isEqualTo("eth0");
            assertThat(data.path("learning").asBoolean()).isFalse();
            Set<String> remoteIps = new TreeSet<>();
            state.nodes().stream().filter(n -> !n.name().equals(name)).forEach(n -> remoteIps.add(n.internalIp()));
            Set<String> fdbDestinations = new TreeSet<>();
            for (String entry : fdb(node)) {
                Matcher m = Pattern.compile(" dst (\\S+) ").matcher(entry);
                assertThat(m.find()).as("%s FDB entry %s", name, entry).isTrue();
                fdbDestinations.add(m.group(1));
            }
            assertThat(fdbDestinations).as("%s's FDB destinations", name).isEqualTo(remoteIps);
            JsonNode stats = Serialization.jsonMapper().readTree(shell.check("ip", "-n", node.netns(), "-s", "-j",
                    "link", "show", VXLAN)).get(0).path("stats64");
            assertThat(stats.path("tx").path("packets").asLong()).as("%s VXLAN tx packets", name).isPositive();
            assertThat(stats.path("rx").path("packets").asLong()).as("%s VXLAN rx packets", name).isPositive();

            // The chains, in the node namespace: pod traffic forwarded, masqueraded only outside the cluster CIDR.
            String rules = inNode(node, "iptables-save");
            assertThat(rules).contains(":TRELLIS-MASQ", ":TRELLIS-POD-FORWARD")
                    .containsPattern("-A TRELLIS-MASQ -d " + Pattern.quote(LabController.CLUSTER_CIDR) + " .*-j RETURN");
        }
        // No OVS daemon anywhere in the lab.
        for (long pid : new Processes(labDir).labProcesses()) {
            Optional<String> commandLine = ProcessHandle.of(pid).flatMap(p -> p.info().commandLine());
            assertThat(commandLine.orElse("")).as("lab process %d", pid).doesNotContain("ovs-vswitchd", "ovsdb-server");
        }
    }

    @Test
    @Order(90)
    void uninstallLeavesNoTrellisChainsDevicesOrRoutesAndAStartSetsTheNodeUpAgain() throws Exception {
        NodeState node3 = currentState().node("node-3").orElseThrow();
        NodeState node1 = state.node("node-1").orElseThrow();
        String cidr3 = lab().podCidrs().get("node-3");
        assertThat(inNode(node3, "iptables-save")).contains("TRELLIS");
        assertThat(backendRoutes(node3)).isNotEmpty();

        // The agent stopped first (SIGTERM: it leaves the data plane), as the uninstall requires.
        ProcessHandle agent = ProcessHandle.of(node3.agentPid()).orElseThrow();
        agent.destroy();
        assertThat(agent.onExit().get(15, TimeUnit.SECONDS).isAlive()).isFalse();
        Shell.Result uninstall = shell.run(Shell.inNetns(node3.netns(),
                home.resolve("core-agent/bin/trellis-agent").toString(), "--uninstall", "--config",
                labDir.resolve("nodes/node-3/trellis-agent.yaml").toString()), Map.of());
        assertThat(uninstall.exitCode()).as("uninstall: %s%s", uninstall.stdout(), uninstall.stderr()).isZero();

        assertThat(inNode(node3, "iptables-save")).as("iptables-save in node-3 after the uninstall")
                .doesNotContain("TRELLIS").doesNotContain("trellis");
        String links = shell.check("ip", "-n", node3.netns(), "-o", "link", "show");
        assertThat(links).doesNotContain(BRIDGE).doesNotContain(VXLAN);
        assertThat(links.lines()).as("node-3's links: lo and eth0 only, no pod veth").hasSize(2);
        assertThat(backendRoutes(node3)).isEmpty();
        assertThat(routes(node3)).doesNotContain("10.244.");
        // The uplink is as `up` made it.
        assertThat(shell.check("ip", "-n", node3.netns(), "-4", "-o", "addr", "show", "dev", "eth0"))
                .contains(node3.internalIp() + "/24");

        // Started again, the agent sets the node up again (its pods' veths are gone with the uninstall).
        launcher.check("restart", "agent", "--node", "3");
        awaitTrue("node-3's chains back", NODE_CHANGE, () -> inNode(node3, "iptables-save").contains(":TRELLIS-MASQ"));
        assertThat(shell.check("ip", "-n", node3.netns(), "-o", "link", "show")).contains(BRIDGE, VXLAN);
        awaitTrue("node-3 routes node-1's pods again", NODE_CHANGE,
                () -> routing(node3, lab().podCidrs().get("node-1")) == Routing.ROUTED);
        assertThat(routing(node1, cidr3)).isEqualTo(Routing.ROUTED);
    }

    private JsonNode linkJson(NodeState node, String device) {
        return Serialization.jsonMapper().readTree(shell.check("ip", "-n", node.netns(), "-d", "-j", "link", "show",
                device)).get(0);
    }

    /** The routes the vxlan backend installed (its protocol number). */
    private List<String> backendRoutes(NodeState node) {
        return shell.check("ip", "-n", node.netns(), "-4", "route", "show", "proto", ROUTE_PROTOCOL).lines()
                .filter(l -> !l.isBlank()).toList();
    }

    private List<String> fdb(NodeState node) {
        return shell.check("bridge", "-n", node.netns(), "fdb", "show", "dev", VXLAN).lines()
                .filter(l -> !l.isBlank()).toList();
    }

    private List<String> vxlanArp(NodeState node) {
        return shell.check("ip", "-n", node.netns(), "-4", "neigh", "show", "dev", VXLAN).lines()
                .filter(l -> !l.isBlank()).toList();
    }
}
