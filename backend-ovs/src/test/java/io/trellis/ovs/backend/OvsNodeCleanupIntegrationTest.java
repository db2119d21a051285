package io.trellis.ovs.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.ovs.ovsdb.DatapathType;
import io.trellis.ovs.ovsdb.OpenVSwitchDatabase;
import io.trellis.ovs.ovsdb.OvsdbClient;
import io.trellis.ovs.ovsdb.OvsdbClientOptions;
import io.trellis.ovs.pipeline.Ipv4Subnet;
import io.trellis.ovs.testing.CommandRunner;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.transport.NettyTransport;
import io.trellis.spi.model.IpAddress;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Route;
import io.trellis.spi.model.TunnelType;
import io.trellis.spi.node.NodeInfo;
import io.trellis.spi.pod.PodInterfaceRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code trellis-agent --uninstall} does with the {@code ovs} backend, on a real OVS
 * (userspace datapath): a node set up by the pod driver and the overlay driver (node IP moved onto
 * br-ex, gateway routes, a pod, masquerade chains) goes back to how it was.
 */
class OvsNodeCleanupIntegrationTest {

    private static final Ipv4Subnet POD_CIDR = Ipv4Subnet.parse("10.79.0.0/24");
    private static final String NODE_IP = "198.18.1.1";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Syscalls sys = Syscalls.system();
    private final CommandRunner runner = new CommandRunner(Map.of(), Duration.ofSeconds(30));
    private OvsSandbox sandbox;

    @AfterEach
    void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void uninstallRestoresTheUplinkAndRemovesBridgesRoutesChainsAndPodInterfaces() {
        sandbox = OvsSandbox.start();
        String peer = sandbox.id() + "p80";
        String pod = sandbox.id() + "p81";
        runner.run(List.of("ip", "netns", "add", peer)).stdoutOrThrow();
        runner.run(List.of("ip", "netns", "add", pod)).stdoutOrThrow();
        sandbox.exec("ip", "link", "add", "uplink0", "type", "veth", "peer", "name", "eth0", "netns", peer);
        sandbox.exec("ip", "addr", "add", NODE_IP + "/24", "dev", "uplink0");
        sandbox.exec("ip", "link", "set", "uplink0", "up");
        sandbox.exec("ip", "route", "add", "198.18.9.0/24", "via", "198.18.1.254");
        String routesBefore = sandbox.exec("ip", "-4", "route", "show");

        OvsSettings settings = new OvsSettings(DatapathType.NETDEV, "br-int", "br-ex", sandbox.dbSocket(),
                sandbox.runDir(), Optional.empty(), Optional.empty());
        OvsPodInterfaceDriver driver = OvsPodInterfaceDriver.start(settings, POD_CIDR,
                NodeNetlink.in(sys, NetNamespace.named(sys, sandbox.netns())), TIMEOUT);
        try {
            driver.attach(podRequest(pod));
            OvsNodeRouteDriver overlay = driver.nodeRouteDriver(TunnelType.GENEVE);
            overlay.localNode(new NodeInfo("node-a", List.of(address(NODE_IP)), List.of(IpPrefix.parse("10.79.0.0/24"))));
            overlay.upsertNode(new NodeInfo("node-b", List.of(address("198.18.1.2")),
                    List.of(IpPrefix.parse("10.79.1.0/24"))));
            driver.serviceProxy("node-a").replaceAll(List.of(nodePortService()));
        } finally {
            driver.close();
        }
        assertThat(sandbox.exec("iptables-save")).contains("TRELLIS-SERVICES", "TRELLIS-SVC-MASQ", "TRELLIS-SVC-FWD");
        assertThat(sandbox.exec("ip", "-4", "route", "show", "proto", "117")).contains("10.96.0.10 via 169.254.0.253");
        // Set up as a running agent leaves it: the IP on br-ex, uplink0 in br-ex, a gateway route, chains.
        assertThat(sandbox.exec("ip", "-4", "-o", "addr", "show", "dev", "br-ex")).contains(NODE_IP + "/24");
        assertThat(sandbox.exec("ip", "-4", "-o", "addr", "show", "dev", "uplink0")).doesNotContain(NODE_IP);
        assertThat(sandbox.exec("ip", "-4", "route", "show", "proto", "116")).contains("10.79.1.0/24 via 10.79.1.1");
        assertThat(sandbox.exec("iptables-save")).contains("TRELLIS-POSTROUTING");
        assertThat(sandbox.vsctl("list-br").strip().split("\n")).containsExactlyInAnyOrder("br-ex", "br-int");
        String podPort = sandbox.vsctl("list-ports", "br-int").lines()
                .filter(p -> !p.equals(OvsNodeSetup.GATEWAY_PORT) && !p.equals(OvsNodeRouteDriver.TUNNEL_PORT))
                .findFirst().orElseThrow();

        List<String> removed = cleanup(settings);

        assertThat(removed).anyMatch(r -> r.contains("bridge br-int")).anyMatch(r -> r.contains("uplink bridge br-ex"))
                .anyMatch(r -> r.contains(podPort));
        assertThat(sandbox.vsctl("list-br")).isBlank();
        assertThat(sandbox.exec("ip", "-4", "-o", "addr", "show", "dev", "uplink0")).contains(NODE_IP + "/24");
        assertThat(sandbox.exec("ip", "-4", "route", "show")).isEqualTo(routesBefore);
        assertThat(sandbox.exec("iptables-save")).doesNotContain("TRELLIS");
        assertThat(sandbox.exec("ip", "-o", "link", "show")).doesNotContain(podPort).doesNotContain("br-ex")
                .doesNotContain(OvsNodeSetup.GATEWAY_PORT);
        assertThat(runner.run(List.of("ip", "-n", pod, "link", "show", "eth0")).succeeded())
                .as("the pod's end of the veth went with the node's").isFalse();

        // Idempotent: a second run finds nothing of ours and changes nothing.
        assertThat(cleanup(settings)).noneMatch(r -> r.contains("bridge"));
        assertThat(sandbox.exec("ip", "-4", "route", "show")).isEqualTo(routesBefore);
    }

    @Test
    void anOvsVswitchdRestartGetsTheNodeIpAndTheGatewayRoutesBack() throws InterruptedException {
        sandbox = OvsSandbox.start();
        String peer = sandbox.id() + "p82";
        runner.run(List.of("ip", "netns", "add", peer)).stdoutOrThrow();
        sandbox.exec("ip", "link", "add", "uplink0", "type", "veth", "peer", "name", "eth0", "netns", peer);
        sandbox.exec("ip", "addr", "add", NODE_IP + "/24", "dev", "uplink0");
        sandbox.exec("ip", "link", "set", "uplink0", "up");
        OvsSettings settings = new OvsSettings(DatapathType.NETDEV, "br-int", "br-ex", sandbox.dbSocket(),
                sandbox.runDir(), Optional.empty(), Optional.empty());
        OvsPodInterfaceDriver driver = OvsPodInterfaceDriver.start(settings, POD_CIDR,
                NodeNetlink.in(sys, NetNamespace.named(sys, sandbox.netns())), TIMEOUT);
        try {
            OvsNodeRouteDriver overlay = driver.nodeRouteDriver(TunnelType.GENEVE);
            assertThat(driver.nodeRouteDriver(TunnelType.GENEVE)).as("one overlay per pod driver").isSameAs(overlay);
            overlay.localNode(new NodeInfo("node-a", List.of(address(NODE_IP)), List.of(IpPrefix.parse("10.79.0.0/24"))));
            overlay.upsertNode(new NodeInfo("node-b", List.of(address("198.18.1.2")),
                    List.of(IpPrefix.parse("10.79.1.0/24"))));
            driver.serviceProxy("node-a").replaceAll(List.of(nodePortService()));

            sandbox.killVswitchd();
            sandbox.startVswitchd();
            // The recreated internal devices come back bare; the driver's resync puts the address and routes back.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline && !(addressOnBrEx() && gatewayRoute() && serviceRoute())) {
                Thread.sleep(200);
            }
            assertThat(sandbox.exec("ip", "-4", "-o", "addr", "show", "dev", "br-ex")).contains(NODE_IP + "/24");
            assertThat(sandbox.exec("ip", "-4", "route", "show", "proto", "116")).contains("10.79.1.0/24 via 10.79.1.1");
            assertThat(sandbox.exec("ip", "-4", "neigh", "show", "dev", OvsNodeSetup.GATEWAY_PORT))
                    .contains("10.79.1.1 lladdr aa:bb:cc:dd:ee:ff PERMANENT");
            // The Service routes and neighbours went with the old gateway device; the proxy puts them back.
            assertThat(sandbox.exec("ip", "-4", "route", "show", "proto", "117"))
                    .contains("10.96.0.10 via 169.254.0.253").contains("169.254.0.253 dev " + OvsNodeSetup.GATEWAY_PORT);
            assertThat(sandbox.exec("ip", "-4", "neigh", "show", "dev", OvsNodeSetup.GATEWAY_PORT))
                    .containsPattern("169\\.254\\.0\\.253 lladdr \\S+ PERMANENT");
        } finally {
            driver.close();
        }
    }

    private boolean addressOnBrEx() {
        return runner.run(List.of("ip", "netns", "exec", sandbox.netns(), "ip", "-4", "-o", "addr", "show", "dev",
                "br-ex")).stdout().contains(NODE_IP + "/24");
    }

    private boolean serviceRoute() {
        return runner.run(List.of("ip", "netns", "exec", sandbox.netns(), "ip", "-4", "route", "show", "proto", "117"))
                .stdout().contains("10.96.0.10");
    }

    /** A NodePort Service with one endpoint on this node: cluster IP route, node-port DNAT, masquerade. */
    private static io.trellis.spi.service.Service nodePortService() {
        return new io.trellis.spi.service.Service(new io.trellis.spi.service.ServiceRef("default", "web"),
                List.of(address("10.96.0.10")),
                List.of(new io.trellis.spi.service.ServicePort("http", io.trellis.spi.model.Protocol.TCP, 80,
                        java.util.OptionalInt.of(30080))),
                List.of(new io.trellis.spi.service.ServiceEndpoint(address("10.79.0.11"),
                        List.of(new io.trellis.spi.service.EndpointPort("http", io.trellis.spi.model.Protocol.TCP, 8080)),
                        true, Optional.of("node-a"))));
    }

    private boolean gatewayRoute() {
        return runner.run(List.of("ip", "netns", "exec", sandbox.netns(), "ip", "-4", "route", "show", "proto", "116"))
                .stdout().contains("10.79.1.0/24");
    }

    private List<String> cleanup(OvsSettings settings) {
        try (NettyTransport transport = new NettyTransport(1, "it-cleanup");
             OvsdbClient ovsdb = new OvsdbClient(transport, sandbox.dbEndpoint(), OvsdbClientOptions.DEFAULT);
             NodeNetlink netlink = NodeNetlink.in(sys, NetNamespace.named(sys, sandbox.netns()))) {
            Await.result(ovsdb.connect(), TIMEOUT, "connect");
            return new OvsNodeCleanup(settings, new OpenVSwitchDatabase(ovsdb), netlink, TIMEOUT).run();
        }
    }

    private PodInterfaceRequest podRequest(String podNetns) {
        InetAddress gw = address("10.79.0.1");
        return new PodInterfaceRequest(new PodAttachment("cclean" + sandbox.id(), "eth0", new PodRef("ns", "p")),
                Path.of("/var/run/netns", podNetns), List.of(new IpAddress(address("10.79.0.11"), 24, Optional.of(gw))),
                List.of(new Route(IpPrefix.parse("0.0.0.0/0"), Optional.of(gw))), 1450, Optional.empty());
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
