package io.trellis.ovs.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.route.IpPrefix;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.ovs.ovsdb.OpenVSwitchDatabase;
import io.trellis.ovs.ovsdb.OvsdbClient;
import io.trellis.ovs.ovsdb.OvsdbClientOptions;
import io.trellis.ovs.testing.CommandResult;
import io.trellis.ovs.testing.CommandRunner;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.transport.NettyTransport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The netdev uplink move on a real OVS (userspace datapath): the sandbox's namespace is the node,
 * its uplink a veth to a "router" namespace that holds the default gateway and, behind it, a
 * remote address reachable only through the node's default route.
 */
class UplinkBridgeIntegrationTest {

    private static final String BRIDGE = "br-phy";
    private static final String UPLINK = "uplink0";
    private static final String NODE_IP = "198.18.1.1";
    private static final String GATEWAY = "198.18.1.2";
    private static final String REMOTE = "198.19.0.1";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Syscalls sys = Syscalls.system();
    private final CommandRunner runner = new CommandRunner(Map.of(), Duration.ofSeconds(30));
    private OvsSandbox sandbox;
    private NettyTransport transport;
    private OvsdbClient client;
    private NodeNetlink node;
    private UplinkBridge uplinkBridge;

    @BeforeEach
    void startNode() throws Exception {
        sandbox = OvsSandbox.start();
        try {
            // <sandbox>pN: the sandbox's cleanup (and its sweep of crashed runs) removes it too.
            String router = sandbox.id() + "p80";
            run("ip", "netns", "add", router);
            run("ip", "-n", router, "link", "set", "lo", "up");
            run("ip", "-n", router, "addr", "add", REMOTE + "/32", "dev", "lo");
            sandbox.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            sandbox.exec("ip", "link", "add", UPLINK, "type", "veth", "peer", "name", "eth0", "netns", router);
            sandbox.exec("ip", "addr", "add", NODE_IP + "/24", "dev", UPLINK);
            sandbox.exec("ip", "link", "set", UPLINK, "up");
            sandbox.exec("ip", "route", "add", "default", "via", GATEWAY);
            run("ip", "-n", router, "addr", "add", GATEWAY + "/24", "dev", "eth0");
            run("ip", "-n", router, "link", "set", "eth0", "up");

            transport = new NettyTransport(1, "it-uplink");
            client = new OvsdbClient(transport, sandbox.dbEndpoint(), OvsdbClientOptions.DEFAULT);
            client.connect().get(10, TimeUnit.SECONDS);
            node = NodeNetlink.in(sys, NetNamespace.named(sys, sandbox.netns()));
            uplinkBridge = new UplinkBridge(new OpenVSwitchDatabase(client), node, BRIDGE, TIMEOUT);
        } catch (Exception | AssertionError e) {
            stopNode();
            throw e;
        }
    }

    @AfterEach
    void stopNode() {
        try {
            if (node != null) {
                node.close();
            }
            if (client != null) {
                client.close();
            }
            if (transport != null) {
                transport.close();
            }
        } finally {
            sandbox.close();
        }
    }

    @Test
    void movesTheNodeIpAndRoutesOntoTheBridgeIdempotentlyAndRestoresThem() {
        assertThat(UplinkBridge.linkHolding(node.node(), IpPrefix.parseAddress(NODE_IP))).contains(UPLINK);
        awaitPing(REMOTE);
        sandbox.exec("sysctl", "-q", "-w", "net.ipv4.conf." + UPLINK + ".arp_ignore=1"); // an admin's setting
        String uplinkMac = sandbox.exec("cat", "/sys/class/net/" + UPLINK + "/address").strip();

        UplinkBridge.Moved moved = uplinkBridge.moveOnto(UPLINK);

        assertThat(moved.addresses()).containsExactly(IpPrefix.parse(NODE_IP + "/24"));
        assertThat(moved.routes()).extracting(UplinkBridge.MovedRoute::toString).containsExactly("0.0.0.0/0 via " + GATEWAY);
        assertThat(sandbox.vsctl("list-ports", BRIDGE).lines().toList()).containsExactly(UPLINK);
        assertThat(sandbox.vsctl("get", "bridge", BRIDGE, "datapath_type").strip()).isEqualTo("netdev");
        assertThat(sandbox.vsctl("get", "bridge", BRIDGE, "fail_mode").strip()).isEqualTo("[]");
        assertThat(addresses(BRIDGE)).containsExactly(NODE_IP + "/24");
        assertThat(addresses(UPLINK)).isEmpty();
        assertThat(defaultRoute()).contains("via " + GATEWAY + " dev " + BRIDGE);
        assertThat(UplinkBridge.linkHolding(node.node(), IpPrefix.parseAddress(NODE_IP))).contains(BRIDGE);
        // The kernel must not answer ARP for the node IP on the uplink (only the bridge device does).
        assertThat(sysctl("net.ipv4.conf." + UPLINK + ".arp_ignore")).isEqualTo("8");
        awaitPing(REMOTE);
        String router = sandbox.id() + "p80";
        String bridgeMac = sandbox.exec("cat", "/sys/class/net/" + BRIDGE + "/address").strip();
        // Pinned (ovs-vswitchd's MAC changes take the device down, flushing its routes), not the uplink's.
        assertThat(sandbox.vsctl("get", "bridge", BRIDGE, "other_config:hwaddr").strip()).isEqualTo('"' + bridgeMac + '"');
        assertThat(bridgeMac).isNotEqualTo(uplinkMac);
        for (int round = 0; round < 3; round++) {
            run("ip", "-n", router, "neigh", "flush", "dev", "eth0");
            run("ip", "netns", "exec", router, "ping", "-c", "1", "-W", "2", NODE_IP);
            assertThat(runner.run(List.of("ip", "-n", router, "neigh", "show", NODE_IP)).stdout())
                    .as("the router resolves the node IP to the bridge").contains("lladdr " + bridgeMac);
        }

        // Again (agent restart): the record in external_ids is reused, nothing changes.
        String ids = sandbox.vsctl("get", "bridge", BRIDGE, "external_ids").strip();
        String routes = sandbox.exec("ip", "-4", "route", "show");
        assertThat(uplinkBridge.moveOnto(UPLINK)).isEqualTo(moved);
        assertThat(sandbox.vsctl("get", "bridge", BRIDGE, "external_ids").strip()).isEqualTo(ids);
        assertThat(sandbox.exec("ip", "-4", "route", "show")).isEqualTo(routes);
        assertThat(addresses(BRIDGE)).containsExactly(NODE_IP + "/24");
        assertThat(addresses(UPLINK)).isEmpty();

        // ovs-vswitchd restart recreates br-phy's device without its address: setup puts it back.
        sandbox.killVswitchd();
        sandbox.startVswitchd();
        assertThat(uplinkBridge.moveOnto(UPLINK)).isEqualTo(moved);
        assertThat(sandbox.exec("cat", "/sys/class/net/" + BRIDGE + "/address").strip()).isEqualTo(bridgeMac);
        assertThat(addresses(BRIDGE)).containsExactly(NODE_IP + "/24");
        assertThat(defaultRoute()).contains("via " + GATEWAY + " dev " + BRIDGE);
        awaitPing(REMOTE);

        assertThat(uplinkBridge.restore()).isTrue();

        assertThat(sandbox.vsctl("list-br").lines().toList()).doesNotContain(BRIDGE);
        assertThat(sandbox.execResult(sandbox.netns(), List.of("ip", "link", "show", BRIDGE)).exitCode()).isNotZero();
        assertThat(addresses(UPLINK)).containsExactly(NODE_IP + "/24");
        assertThat(defaultRoute()).contains("via " + GATEWAY + " dev " + UPLINK);
        assertThat(sysctl("net.ipv4.conf." + UPLINK + ".arp_ignore")).as("the admin's value back").isEqualTo("1");
        awaitPing(REMOTE);
        assertThat(uplinkBridge.restore()).as("nothing left to restore").isFalse();
    }

    @Test
    void refusesToTakeOverABridgeItDidNotCreate() {
        sandbox.addBridge(BRIDGE);
        org.assertj.core.api.Assertions.assertThatThrownBy(uplinkBridge::restore)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("external_ids:trellis.uplink");
        assertThat(sandbox.vsctl("list-br").lines().toList()).contains(BRIDGE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> uplinkBridge.moveOnto(BRIDGE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(BRIDGE);
    }

    private List<String> addresses(String device) {
        return sandbox.exec("ip", "-4", "-o", "addr", "show", "dev", device).lines()
                .map(l -> l.trim().split("\\s+")[3]).toList();
    }

    private String defaultRoute() {
        return sandbox.exec("ip", "-4", "route", "show", "default").strip();
    }

    /** The first packet may be lost while the userspace datapath learns the port. */
    private void awaitPing(String ip) {
        CommandResult last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            last = sandbox.execResult(sandbox.netns(), List.of("ping", "-c", "1", "-W", "1", ip));
            if (last.exitCode() == 0) {
                return;
            }
        }
        throw new AssertionError("ping " + ip + " from the node never answered: " + last.stdout());
    }

    private String sysctl(String key) {
        return sandbox.exec("sysctl", "-n", key).strip();
    }

    private void run(String... argv) {
        CommandResult r = runner.run(List.of(argv));
        assertThat(r.succeeded()).as("%s: %s", String.join(" ", argv), r).isTrue();
    }
}
