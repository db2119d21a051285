package io.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.backend.OvsNodeSetup;
import io.trellis.ovs.pipeline.CookieScheme;
import io.trellis.ovs.testing.CommandResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Pods on one node with the real agent: {@code trellis-agent} (host-local IPAM, the ovs backend on a
 * sandboxed ovs-vswitchd with the userspace datapath) running inside the node's namespace, pods
 * attached and detached by the real {@code trellis-cni} invoked like a runtime.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodNetworkingIT {
    private final Traffic traffic = new Traffic();
    /** Pods attached and not yet deleted: the flow table must hold exactly theirs. */
    private final List<AttachedPod> live = new CopyOnWriteArrayList<>();
    private AgentNode node;
    private AttachedPod a;
    private AttachedPod b;
    private AttachedPod c;

    @BeforeAll
    void startNodeAndPods() {
        node = AgentNode.start(TrellisHome.locate(), AgentNode.Options.defaults());
        a = add("web", "a");
        b = add("web", "b");
        c = add("db", "c");
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private AttachedPod add(String namespace, String name) {
        AttachedPod pod = node.addPod(namespace, name);
        live.add(pod);
        return pod;
    }

    @Test
    void addGivesEachPodAnAddressFromTheNodesPodCidrBehindTheGateway() {
        List<String> ips = new ArrayList<>();
        for (AttachedPod pod : List.of(a, b, c)) {
            assertThat(pod.ip()).as(pod.pod()).startsWith("10.96.0.");
            assertThat(pod.prefixLength()).isEqualTo(24);
            assertThat(pod.gateway()).isEqualTo("10.96.0.1").isEqualTo(node.gatewayIp());
            ips.add(pod.ip());
            String link = node.exec(pod.netns().name(), List.of("ip", "-o", "link", "show", "dev", "eth0")).stdoutOrThrow();
            assertThat(link).contains("mtu 1450", pod.mac(), "state UP");
            assertThat(node.exec(pod.netns().name(), List.of("ip", "-4", "route", "show", "default")).stdoutOrThrow())
                    .contains("default via 10.96.0.1 dev eth0");
            assertThat(node.bridgePorts()).contains(pod.hostInterface());
            assertThat(node.linkExists(node.netns(), pod.hostInterface())).isTrue();
        }
        assertThat(ips).doesNotHaveDuplicates();
        assertThat(node.bridgePorts()).contains(OvsNodeSetup.GATEWAY_PORT);
    }

    @Test
    void podsPingEachOtherBothWaysAndTheNode() {
        assertPing(a, b.ip());
        assertPing(b, a.ip());
        assertPing(a, c.ip());
        assertPing(c, a.ip());
        assertPing(b, c.ip());
        assertPing(a, node.gatewayIp());
        assertPing(c, node.gatewayIp());
        CommandResult fromNode = node.exec(node.netns(), List.of("ping", "-c", "1", "-W", "2", b.ip()));
        assertThat(fromNode.succeeded()).as("node -> pod b: %s", fromNode).isTrue();
    }

    @Test
    void tcpAndUdpWorkBothWaysBetweenPodsAndFromAPodToTheNode() throws Exception {
        assertThat(traffic.tcp(b.netns().name(), b.ip(), a.netns().name(), "hello from a", "hi from b"))
                .isEqualTo("hello from a | hi from b");
        assertThat(traffic.tcp(a.netns().name(), a.ip(), b.netns().name(), "hello from b", "hi from a"))
                .isEqualTo("hello from b | hi from a");
        assertThat(traffic.tcp(a.netns().name(), a.ip(), c.netns().name(), "hello from c", "hi from a"))
                .isEqualTo("hello from c | hi from a");
        assertThat(traffic.udp(b.netns().name(), b.ip(), a.netns().name(), "udp from a", "udp from b"))
                .isEqualTo("udp from a | udp from b");
        assertThat(traffic.udp(a.netns().name(), a.ip(), b.netns().name(), "udp from b", "udp from a"))
                .isEqualTo("udp from b | udp from a");
        assertThat(traffic.udp(c.netns().name(), c.ip(), b.netns().name(), "udp from b", "udp from c"))
                .isEqualTo("udp from b | udp from c");
        assertThat(traffic.tcp(node.netns(), node.gatewayIp(), c.netns().name(), "c to node", "node to c"))
                .isEqualTo("c to node | node to c");
        assertThat(traffic.udp(node.netns(), node.gatewayIp(), a.netns().name(), "a to node", "node to a"))
                .isEqualTo("a to node | node to a");
    }

    @Test
    void theBridgeHoldsExactlyThePipelineForTheNodeAndItsPods() {
        List<String> table = node.flowTable();
        assertThat(table).containsExactlyInAnyOrderElementsOf(node.expectedFlowTable(live));

        // Independently of the pipeline's own model: every pod has flows under its own cookie
        // that name its port, its MAC and its IP, and every flow on the bridge is the agent's.
        CookieScheme cookies = CookieScheme.DEFAULT;
        for (AttachedPod pod : live) {
            int ofport = node.ofport(pod.hostInterface());
            List<String> own = table.stream().filter(l -> ownedByPod(l, cookies, ofport)).toList();
            assertThat(own).as("flows of %s (ofport %d)", pod.pod(), ofport).isNotEmpty();
            // SpoofGuard admits IP from its port only with its MAC and IP; ARP for its IP goes to its port.
            assertThat(own).anyMatch(l -> l.contains(",ip,in_port=" + ofport + ",dl_src=" + pod.mac() + ",nw_src="
                    + pod.ip() + " actions="));
            assertThat(own).anyMatch(l -> l.endsWith(",arp,arp_tpa=" + pod.ip() + " actions=output:" + ofport));
        }
        assertThat(table).allMatch(l -> cookies.owns(cookieOf(l)), "every flow has the agent's cookie");
    }

    @Test
    void delRemovesThePodsPortVethAndFlowsAndIsIdempotent() {
        AttachedPod d = add("web", "d");
        int ofport = node.ofport(d.hostInterface());
        assertPing(a, d.ip());
        CookieScheme cookies = CookieScheme.DEFAULT;
        assertThat(node.flowTable()).anyMatch(l -> ownedByPod(l, cookies, ofport));

        CniExecutable.Run del = node.deletePod(d);
        assertThat(del.succeeded()).as("DEL: %s", del).isTrue();
        live.remove(d);
        assertThat(node.bridgePorts()).doesNotContain(d.hostInterface());
        assertThat(node.linkExists(node.netns(), d.hostInterface())).as("host veth").isFalse();
        assertThat(node.linkExists(d.netns().name(), "eth0")).as("pod eth0").isFalse();
        assertThat(node.flowTable()).noneMatch(l -> ownedByPod(l, cookies, ofport))
                .containsExactlyInAnyOrderElementsOf(node.expectedFlowTable(live));
        assertNoPing(a, d.ip());
        assertPing(a, b.ip());

        CniExecutable.Run again = node.deletePod(d);
        assertThat(again.succeeded()).as("DEL again: %s", again).isTrue();
        node.deletePodNetns(d.netns());
        CniExecutable.Run gone = node.cni().del(d.containerId(), null, d.podNamespace(), d.podName());
        assertThat(gone.succeeded()).as("DEL without netns after it was deleted: %s", gone).isTrue();
        assertThat(node.flowTable()).containsExactlyInAnyOrderElementsOf(node.expectedFlowTable(live));
    }

    // ------------------------------------------------------------------ helpers

    private static boolean ownedByPod(String flowLine, CookieScheme cookies, int ofport) {
        return (cookieOf(flowLine) & cookies.podMask()) == cookies.podValue(ofport);
    }

    /** The cookie of a dump-flows line ({@code cookie=0x747202000b, table=...}). */
    private static long cookieOf(String flowLine) {
        assertThat(flowLine).startsWith("cookie=0x");
        return Long.parseUnsignedLong(flowLine.substring("cookie=0x".length(), flowLine.indexOf(',')), 16);
    }

    private void assertPing(AttachedPod from, String to) {
        CommandResult r = node.exec(from.netns().name(), List.of("ping", "-c", "2", "-i", "0.2", "-W", "2", to));
        assertThat(r.succeeded()).as("ping %s -> %s: %s %s", from.pod(), to, r.stdout(), r.stderr()).isTrue();
    }

    private void assertNoPing(AttachedPod from, String to) {
        CommandResult r = node.exec(from.netns().name(), List.of("ping", "-c", "1", "-W", "1", to));
        assertThat(r.succeeded()).as("ping %s -> %s should fail: %s", from.pod(), to, r.stdout()).isFalse();
    }
}
