package io.trellis.iptables.bridge;

import static io.trellis.iptables.bridge.TestCommands.exec;
import static io.trellis.iptables.bridge.TestCommands.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.spi.BackendContext;
import io.trellis.spi.BackendSettings;
import io.trellis.spi.NetworkSettings;
import io.trellis.spi.UninstallContext;
import io.trellis.spi.model.IpAddress;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.Mtu;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Route;
import io.trellis.spi.model.TunnelType;
import io.trellis.spi.pod.PodInterfaceDriver;
import io.trellis.spi.pod.PodInterfaceException;
import io.trellis.spi.pod.PodInterfaceRequest;
import io.trellis.spi.pod.PodInterfaces;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The driver against the real kernel: a "node" namespace ({@code <run>-node}) plays the node, as the
 * agent's own namespace does in the lab, with an uplink veth to an "outside" namespace
 * ({@code <run>-out}, 198.51.100.2) standing for the world beyond the cluster; pods are namespaces
 * {@code <run>-pN}. Everything is named with the per-run prefix {@code tib<4 hex>} and removed
 * afterwards, also after a failure. Traffic: ping and TCP sockets opened inside the namespaces.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LinuxBridgePodInterfaceDriverIntegrationTest {

    private static final IpPrefix POD_CIDR = IpPrefix.parse("10.77.0.0/24");
    private static final IpPrefix CLUSTER_CIDR = IpPrefix.parse("10.77.0.0/16");
    private static final String GATEWAY = "10.77.0.1";
    private static final String NODE_UPLINK_IP = "198.51.100.1";
    private static final String OUTSIDE_IP = "198.51.100.2";
    /** An address of "another node's pod", inside the cluster CIDR, held by the outside namespace. */
    private static final String REMOTE_POD_IP = "10.77.5.2";
    private static final int MTU = 1450;
    private static final String BRIDGE = "trellis0";

    private final Syscalls sys = Syscalls.system();
    private final NamespaceSwitcher switcher = new NamespaceSwitcher(sys);
    private final String run = "tib" + HexFormat.of().formatHex(randomBytes(2));
    private final List<String> namespaces = new ArrayList<>();
    private int podCount;
    private String nodeNs;
    private String outsideNs;
    private Path stateDir;
    private BridgeSettings settings;
    private LinuxBridgePodInterfaceDriver driver;

    @BeforeAll
    void startNode() throws IOException {
        TestCommands.requireRoot();
        stateDir = Files.createTempDirectory(run + "-state");
        nodeNs = newNamespace("node");
        outsideNs = newNamespace("out");
        run("ip", "-n", nodeNs, "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", outsideNs);
        run("ip", "-n", nodeNs, "addr", "add", NODE_UPLINK_IP + "/24", "dev", "up0");
        run("ip", "-n", nodeNs, "link", "set", "up0", "up");
        run("ip", "-n", outsideNs, "addr", "add", OUTSIDE_IP + "/24", "dev", "eth0");
        run("ip", "-n", outsideNs, "addr", "add", REMOTE_POD_IP + "/32", "dev", "lo");
        run("ip", "-n", outsideNs, "link", "set", "eth0", "up");
        // The outside knows the way back to this node's pods only for the "remote pod" test: masqueraded
        // traffic must come back without it.
        run("ip", "-n", nodeNs, "route", "add", "10.77.5.0/24", "via", OUTSIDE_IP);
        settings = new BridgeSettings(BRIDGE, Optional.of(CLUSTER_CIDR), true);
        driver = startDriver();
    }

    @AfterAll
    void stopNode() throws IOException {
        List<String> failures = new ArrayList<>();
        try {
            if (driver != null) {
                driver.close();
            }
        } finally {
            for (String ns : namespaces) {
                TestCommands.Result r = exec("ip", "netns", "del", ns);
                if (!r.succeeded()) {
                    failures.add(ns + ": " + r.stderr().strip());
                }
            }
            if (stateDir != null) {
                try (Stream<Path> files = Files.walk(stateDir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
        assertThat(failures).as("namespaces that could not be deleted").isEmpty();
    }

    private LinuxBridgePodInterfaceDriver startDriver() {
        return LinuxBridgePodInterfaceDriver.start(settings, POD_CIDR, OptionalInt.empty(), stateDir,
                NodeNamespace.in(sys, NetNamespace.named(sys, nodeNs)));
    }

    @Test
    void setsTheNodeUp() {
        String link = run("ip", "-n", nodeNs, "-d", "-o", "link", "show", "dev", BRIDGE);
        assertThat(link).contains("bridge", "link/ether 0a:58:0a:4d:00:01", "UP");
        assertThat(run("ip", "-n", nodeNs, "-4", "-o", "addr", "show", "dev", BRIDGE)).contains(GATEWAY + "/24");
        assertThat(nodeExec("cat", "/proc/sys/net/ipv4/ip_forward").strip()).isEqualTo("1");
        assertThat(driver.bridge().ipv4ForwardingEnabled()).isTrue();

        // Bridge netfilter: the driver's view must match the kernel's in the node namespace.
        boolean present = exec("ip", "netns", "exec", nodeNs, "test", "-e", "/proc/sys/net/bridge/bridge-nf-call-iptables")
                .succeeded();
        assertThat(driver.bridge().bridgeNetfilter().present()).isEqualTo(present);
        if (present) {
            assertThat(nodeExec("cat", "/proc/sys/net/bridge/bridge-nf-call-iptables").strip()).isEqualTo("1");
            assertThat(driver.bridge().bridgeNetfilter().callsIptables()).isTrue();
        }

        String nat = nodeExec("iptables-save", "-t", "nat");
        assertThat(nat).contains(
                "-A POSTROUTING -s 10.77.0.0/24 -m comment --comment \"trellis: masquerade pod egress\" -j TRELLIS-MASQ",
                "-A TRELLIS-MASQ -d 10.77.0.0/16 -m comment --comment \"trellis: keep pod source\" -j RETURN",
                "-A TRELLIS-MASQ -m comment --comment \"trellis: pod egress\" -j MASQUERADE");
        assertThat(nodeExec("iptables-save", "-t", "filter"))
                .contains("-A FORWARD -m comment --comment \"trellis: forward pod traffic\" -j TRELLIS-POD-FORWARD");

        // A second bring-up (agent restart) changes nothing: one address, one jump each.
        driver.bridge().bringUp();
        assertThat(run("ip", "-n", nodeNs, "-4", "-o", "addr", "show", "dev", BRIDGE).lines()).hasSize(1);
        assertThat(withoutComments(nodeExec("iptables-save", "-t", "nat"))).isEqualTo(withoutComments(nat));
        assertThat(driver.bridge().egressRules().installedIn(SavedTable.parse("nat", nat),
                SavedTable.parse("filter", nodeExec("iptables-save", "-t", "filter")))).isTrue();
    }

    @Test
    void podsTalkToEachOtherAndToTheGatewayAndDetachRemovesEverything() throws Exception {
        TestPod a = newPod("a", "10.77.0.11");
        TestPod b = newPod("b", "10.77.0.12");
        PodInterfaces ia = driver.attach(a.request());
        PodInterfaces ib = driver.attach(b.request());

        String hostA = HostVethNaming.hostInterface(a.attachment());
        assertThat(ia.host()).map(h -> h.name()).contains(hostA);
        assertThat(ia.pod().name()).isEqualTo("eth0");
        assertThat(ia.pod().mac()).isEqualTo(MacAddress.parse("0a:58:0a:4d:00:0b"));
        assertThat(ia.pod().sandbox()).contains(a.path());
        assertThat(ia.routes()).isEqualTo(a.request().routes());
        assertThat(a.exec("ip", "-o", "link", "show", "dev", "eth0")).contains("mtu " + MTU, "0a:58:0a:4d:00:0b", "state UP");
        assertThat(a.exec("ip", "-4", "-o", "addr", "show", "dev", "eth0")).contains("10.77.0.11/24");
        assertThat(a.exec("ip", "-4", "route", "show", "default")).contains("via " + GATEWAY + " dev eth0");
        String hostLink = run("ip", "-n", nodeNs, "-d", "-o", "link", "show", "dev", hostA);
        assertThat(hostLink).contains("mtu " + MTU, "master " + BRIDGE, "state UP", "hairpin on");
        assertThat(run("ip", "-n", nodeNs, "-o", "link", "show", "dev", hostA))
                .contains(ia.host().get().mac().toString());
        // The bridge keeps the gateway MAC however ports come and go.
        assertThat(run("ip", "-n", nodeNs, "-o", "link", "show", "dev", BRIDGE)).contains("0a:58:0a:4d:00:01");
        assertThat(Files.readString(stateDir.resolve("attachments").resolve(hostA + ".attachment")))
                .contains("containerId=" + a.attachment().containerId(), "address=10.77.0.11/24", "netns=" + a.path());

        assertPing(a, "10.77.0.12");
        assertPing(b, GATEWAY);
        assertThat(tcpEcho(b, "10.77.0.12", a)).isEqualTo("from /10.77.0.11: a->b");
        assertThat(tcpEchoOnNode(a)).isEqualTo("from /10.77.0.11: a->node");

        // A repeated ADD of an intact attachment returns the same result and changes nothing.
        String ifindex = run("ip", "-n", nodeNs, "-o", "link", "show", "dev", hostA).split(":")[0];
        assertThat(driver.attach(a.request())).isEqualTo(ia);
        assertThat(run("ip", "-n", nodeNs, "-o", "link", "show", "dev", hostA).split(":")[0]).isEqualTo(ifindex);
        assertThatCode(() -> driver.check(a.request(), ia)).doesNotThrowAnyException();

        driver.detach(b.attachment(), Optional.of(b.path()));
        assertThat(linkExists(nodeNs, ib.host().get().name())).isFalse();
        assertThat(linkExists(b.netns(), "eth0")).isFalse();
        assertThat(driver.attachments()).contains(a.attachment()).doesNotContain(b.attachment());
        assertNoPing(a, "10.77.0.12");
        assertThatCode(() -> driver.detach(b.attachment(), Optional.of(b.path()))).doesNotThrowAnyException();
        assertThatCode(() -> driver.detach(b.attachment(), Optional.empty())).doesNotThrowAnyException();
        driver.detach(a.attachment(), Optional.of(a.path()));
    }

    @Test
    void podEgressLeavingTheClusterIsMasqueradedButClusterTrafficKeepsItsSource() throws Exception {
        TestPod c = newPod("c", "10.77.0.21");
        driver.attach(c.request());
        try (NetNamespace outside = NetNamespace.named(sys, outsideNs); NetNamespace pod = NetNamespace.open(sys, c.path())) {
            // The outside has no route to 10.77.0.0/24: the reply reaches the pod only because the node
            // masqueraded it, and the outside sees the node's uplink address.
            assertThat(exec("ip", "-n", outsideNs, "route", "get", "10.77.0.21").stdout()).doesNotContain("198.51.100.1");
            assertThat(tcpEcho(outside, OUTSIDE_IP, pod, "c->outside")).isEqualTo("from /" + NODE_UPLINK_IP + ": c->outside");

            // Another node's pod (in the cluster CIDR) sees the pod's own address.
            run("ip", "-n", outsideNs, "route", "add", POD_CIDR.toString(), "via", NODE_UPLINK_IP);
            try {
                assertThat(tcpEcho(outside, REMOTE_POD_IP, pod, "c->remote")).isEqualTo("from /10.77.0.21: c->remote");
            } finally {
                run("ip", "-n", outsideNs, "route", "del", POD_CIDR.toString(), "via", NODE_UPLINK_IP);
            }
        }
        driver.detach(c.attachment(), Optional.of(c.path()));
    }

    @Test
    void aPodReachesItselfThroughANodeDnatThanksToHairpinMode() throws Exception {
        // What a Service proxy does for a pod that is its own Service's endpoint: DNAT of the virtual IP
        // to the pod and masquerade of the hairpinned connection (as kube-proxy marks it). The DNATed
        // frame goes back out of the port it came in by.
        TestPod h = newPod("h", "10.77.0.31");
        driver.attach(h.request());
        String rules = """
                *nat
                :%1$s-SVC - [0:0]
                -A PREROUTING -j %1$s-SVC
                -A %1$s-SVC -d 10.96.0.10/32 -p tcp --dport 80 -j DNAT --to-destination 10.77.0.31:8080
                -A POSTROUTING -s 10.77.0.31/32 -d 10.77.0.31/32 -j MASQUERADE
                COMMIT
                """.formatted(run.toUpperCase());
        restoreInNode(rules);
        try (NetNamespace pod = NetNamespace.open(sys, h.path())) {
            String reply = tcpEcho(pod, "10.77.0.31", 8080, pod, "10.96.0.10", 80, "h->svc->h");
            assertThat(reply).isEqualTo("from /" + GATEWAY + ": h->svc->h");
            // Without hairpin mode the bridge refuses to send the frame back where it came from.
            run("ip", "netns", "exec", nodeNs, "bridge", "link", "set", "dev", HostVethNaming.hostInterface(h.attachment()),
                    "hairpin", "off");
            assertThatThrownBy(() -> tcpEcho(pod, "10.77.0.31", 8080, pod, "10.96.0.10", 80, "no hairpin"))
                    .hasStackTraceContaining("onnect timed out"); // "Connect timed out" in JDK 17
        } finally {
            restoreInNode("""
                    *nat
                    -D PREROUTING -j %1$s-SVC
                    -D POSTROUTING -s 10.77.0.31/32 -d 10.77.0.31/32 -j MASQUERADE
                    :%1$s-SVC - [0:0]
                    -X %1$s-SVC
                    COMMIT
                    """.formatted(run.toUpperCase()));
        }
        // Check notices the missing hairpin mode; ADD again repairs it.
        PodInterfaces broken = new PodInterfaces(Optional.of(new io.trellis.spi.pod.InterfaceInfo(
                HostVethNaming.hostInterface(h.attachment()), MacAddress.parse("02:00:00:00:00:01"), Optional.empty())),
                new io.trellis.spi.pod.InterfaceInfo("eth0", MacAddress.parse("0a:58:0a:4d:00:1f"), Optional.of(h.path())),
                h.request().routes());
        assertThatThrownBy(() -> driver.check(h.request(), broken)).isInstanceOf(PodInterfaceException.class)
                .hasMessageContaining("is not in hairpin mode");
        PodInterfaces repaired = driver.attach(h.request());
        assertThatCode(() -> driver.check(h.request(), repaired)).doesNotThrowAnyException();
        assertThat(run("ip", "-n", nodeNs, "-d", "-o", "link", "show", "dev", repaired.host().get().name()))
                .contains("hairpin on");
        driver.detach(h.attachment(), Optional.of(h.path()));
    }

    @Test
    void aNodeDnatToAnotherPodOnTheBridgeNeedsBridgeNetfilter() throws Exception {
        // A Service proxy's DNAT of a virtual IP to a pod on the same bridge, without masquerade: the
        // endpoint answers the client directly (same subnet), a frame the bridge forwards; only bridge
        // netfilter (bridge-nf-call-iptables=1, which the driver sets) lets conntrack undo the DNAT on it.
        TestPod client = newPod("s", "10.77.0.91");
        TestPod endpoint = newPod("t", "10.77.0.92");
        driver.attach(client.request());
        driver.attach(endpoint.request());
        String chain = run.toUpperCase() + "-SVC2";
        restoreInNode("""
                *nat
                :%1$s - [0:0]
                -A PREROUTING -j %1$s
                -A %1$s -d 10.96.0.11/32 -p tcp --dport 80 -j DNAT --to-destination 10.77.0.92:8080
                COMMIT
                """.formatted(chain));
        try (NetNamespace c = NetNamespace.open(sys, client.path()); NetNamespace e = NetNamespace.open(sys, endpoint.path())) {
            assertThat(driver.bridge().bridgeNetfilter().callsIptables()).isTrue();
            assertThat(tcpEcho(e, "10.77.0.92", 8080, c, "10.96.0.11", 80, "s->svc->t")).isEqualTo("from /10.77.0.91: s->svc->t");

            nodeExec("sysctl", "-q", "-w", "net.bridge.bridge-nf-call-iptables=0");
            try {
                // The SYN-ACK reaches the client from 10.77.0.92, which it never called: it resets.
                assertThatThrownBy(() -> tcpEcho(e, "10.77.0.92", 8080, c, "10.96.0.11", 80, "without bridge netfilter"))
                        .hasStackTraceContaining("Connect");
            } finally {
                nodeExec("sysctl", "-q", "-w", "net.bridge.bridge-nf-call-iptables=1");
            }
        } finally {
            restoreInNode("""
                    *nat
                    -D PREROUTING -j %1$s
                    :%1$s - [0:0]
                    -X %1$s
                    COMMIT
                    """.formatted(chain));
        }
        driver.detach(client.attachment(), Optional.of(client.path()));
        driver.detach(endpoint.attachment(), Optional.of(endpoint.path()));
    }

    @Test
    void checkNamesWhatIsBrokenAndAddRepairsIt() {
        TestPod e = newPod("e", "10.77.0.41");
        PodInterfaces ie = driver.attach(e.request());
        assertThatCode(() -> driver.check(e.request(), ie)).doesNotThrowAnyException();

        e.exec("ip", "addr", "flush", "dev", "eth0");
        assertThatThrownBy(() -> driver.check(e.request(), ie)).isInstanceOf(PodInterfaceException.class)
                .hasMessage(e.attachment().pod() + " eth0: eth0 lacks address 10.77.0.41/24");

        PodInterfaces repaired = driver.attach(e.request());
        assertThat(repaired.pod()).isEqualTo(ie.pod());
        assertThatCode(() -> driver.check(e.request(), repaired)).doesNotThrowAnyException();

        run("ip", "-n", nodeNs, "link", "set", "dev", repaired.host().get().name(), "nomaster");
        assertThatThrownBy(() -> driver.check(e.request(), repaired)).isInstanceOf(PodInterfaceException.class)
                .hasMessageContaining("is not a port of bridge " + BRIDGE);
        driver.detach(e.attachment(), Optional.of(e.path()));
        assertThatThrownBy(() -> driver.check(e.request(), repaired)).isInstanceOf(PodInterfaceException.class)
                .hasMessageContaining("no record of " + repaired.host().get().name());
    }

    @Test
    void aFailedAttachLeavesNothingBehind() {
        TestPod g = newPod("g", "10.77.0.51");
        String host = HostVethNaming.hostInterface(g.attachment());
        PodInterfaceRequest missingNetns = new PodInterfaceRequest(g.attachment(), Path.of(g.path() + "x"),
                g.request().addresses(), g.request().routes(), MTU, Optional.empty());
        assertThatThrownBy(() -> driver.attach(missingNetns)).isInstanceOf(PodInterfaceException.class)
                .hasMessageContaining(g.attachment().pod() + " eth0: opening netns " + g.path() + "x");
        assertThat(linkExists(nodeNs, host)).isFalse();
        assertThat(driver.attachments()).doesNotContain(g.attachment());

        // The route's gateway is off the pod's subnet: the kernel refuses it after the veth exists.
        PodInterfaceRequest badRoute = new PodInterfaceRequest(g.attachment(), g.path(), g.request().addresses(),
                List.of(new Route(IpPrefix.parse("0.0.0.0/0"), Optional.of(address("192.0.2.1")))), MTU, Optional.empty());
        assertThatThrownBy(() -> driver.attach(badRoute)).isInstanceOf(PodInterfaceException.class)
                .hasMessageContaining("adding route 0.0.0.0/0 via 192.0.2.1");
        assertThat(linkExists(nodeNs, host)).isFalse();
        assertThat(linkExists(g.netns(), "eth0")).isFalse();
        assertThat(driver.attachments()).doesNotContain(g.attachment());
        assertThat(Files.exists(stateDir.resolve("attachments").resolve(host + ".attachment"))).isFalse();
    }

    @Test
    void detachSucceedsWhenTheNetnsIsGone() throws Exception {
        TestPod d = newPod("d", "10.77.0.61");
        String host = driver.attach(d.request()).host().get().name();
        run("ip", "netns", "del", d.netns());
        namespaces.remove(d.netns());
        assertThatCode(() -> driver.detach(d.attachment(), Optional.of(d.path()))).doesNotThrowAnyException();
        assertThat(linkExists(nodeNs, host)).isFalse();
        assertThat(driver.attachments()).doesNotContain(d.attachment());
    }

    @Test
    void aRestartedDriverFindsItsAttachmentsAndGarbageCollectsTheDead() throws Exception {
        TestPod i = newPod("i", "10.77.0.71");
        TestPod j = newPod("j", "10.77.0.72");
        driver.attach(i.request());
        driver.attach(j.request());

        driver.close();
        // The data plane keeps forwarding while no agent runs.
        assertPing(i, "10.77.0.72");
        driver = startDriver();
        assertThat(driver.attachments()).contains(i.attachment(), j.attachment());
        assertPing(j, "10.77.0.71");

        // An unrecorded port of ours on the bridge (a record removed by hand) is collected too.
        TestPod k = newPod("k", "10.77.0.73");
        String hostK = driver.attach(k.request()).host().get().name();
        Files.delete(stateDir.resolve("attachments").resolve(hostK + ".attachment"));

        Set<PodAttachment> alive = Set.of(i.attachment());
        Set<PodAttachment> removed = driver.garbageCollect(alive);
        assertThat(removed).contains(j.attachment()).doesNotContain(i.attachment(), k.attachment());
        assertThat(linkExists(nodeNs, HostVethNaming.hostInterface(j.attachment()))).isFalse();
        assertThat(linkExists(nodeNs, hostK)).isFalse();
        assertThat(linkExists(nodeNs, HostVethNaming.hostInterface(i.attachment()))).isTrue();
        assertThat(driver.attachments()).contains(i.attachment()).doesNotContain(j.attachment());
        assertPing(i, GATEWAY);
        driver.detach(i.attachment(), Optional.of(i.path()));
    }

    @Test
    void aDeletedBridgeIsRecreatedByTheNextAttach() {
        TestPod m = newPod("m", "10.77.0.81");
        TestPod n = newPod("n", "10.77.0.82");
        driver.attach(m.request());
        run("ip", "-n", nodeNs, "link", "del", BRIDGE);
        driver.attach(n.request());
        assertThat(run("ip", "-n", nodeNs, "-4", "-o", "addr", "show", "dev", BRIDGE)).contains(GATEWAY + "/24");
        assertPing(n, GATEWAY);
        // m's port lost its bridge with it; a repeated ADD (or CHECK) notices and rebuilds it.
        PodInterfaces again = driver.attach(m.request());
        assertThatCode(() -> driver.check(m.request(), again)).doesNotThrowAnyException();
        assertPing(m, "10.77.0.82");
        driver.detach(m.attachment(), Optional.of(m.path()));
        driver.detach(n.attachment(), Optional.of(n.path()));
    }

    @Test
    void theBackendsFactoryAndUninstallWorkInTheCallersNamespace() throws Exception {
        // A second node of its own, so that uninstall does not disturb the other tests.
        String node2 = newNamespace("node2");
        Path state2 = Files.createDirectories(stateDir.resolve("node2"));
        LinuxBridgeBackend backend = new LinuxBridgeBackend();
        BackendSettings section = BackendSettings.of("settings.linux-bridge", Map.of("bridge", "cbr0",
                "clusterCidr", "10.78.0.0/16"));
        BackendContext context = new BackendContext("linux-bridge", "n2", section, state2, state2,
                new NetworkSettings(List.of(IpPrefix.parse("10.78.1.0/24")), new Mtu.Fixed(1400), TunnelType.VXLAN));
        TestPod p = newPod("p", "10.78.1.5", "10.78.1.1", 1400);
        try (NetNamespace node = NetNamespace.named(sys, node2)) {
            PodInterfaceDriver d = switcher.call(node, () -> backend.podInterface().orElseThrow().create(context));
            try {
                d.attach(p.request());
                assertThat(run("ip", "-n", node2, "-o", "link", "show", "dev", "cbr0")).contains("mtu 1400");
                assertThat(run("ip", "-n", node2, "-4", "-o", "addr", "show", "dev", "cbr0")).contains("10.78.1.1/24");
                assertPing(p, "10.78.1.1");
            } finally {
                ((AutoCloseable) d).close();
            }
            UninstallContext uninstall = new UninstallContext("linux-bridge", section, state2, state2);
            switcher.run(node, () -> backend.uninstall(uninstall));
            assertThat(linkExists(node2, "cbr0")).isFalse();
            assertThat(run("ip", "-n", node2, "-o", "link", "show")).doesNotContain(" tb");
            assertThat(linkExists(p.netns(), "eth0")).isFalse();
            String saved = run("ip", "netns", "exec", node2, "iptables-save");
            assertThat(saved).doesNotContain("TRELLIS");
            try (Stream<Path> records = Files.list(state2.resolve("attachments"))) {
                assertThat(records).isEmpty();
            }
            // Idempotent: a second run finds nothing and changes nothing.
            switcher.run(node, () -> backend.uninstall(uninstall));
            assertThat(withoutComments(run("ip", "netns", "exec", node2, "iptables-save"))).isEqualTo(withoutComments(saved));
        }
    }

    // ------------------------------------------------------------------ helpers

    private record TestPod(String netns, PodAttachment attachment, PodInterfaceRequest request) {
        Path path() {
            return Path.of("/var/run/netns", netns);
        }

        String exec(String... argv) {
            List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
            full.addAll(List.of(argv));
            return run(full.toArray(String[]::new));
        }
    }

    private String newNamespace(String suffix) {
        String name = run + "-" + suffix;
        run("ip", "netns", "add", name);
        namespaces.add(name);
        run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    private TestPod newPod(String name, String ip) {
        return newPod(name, ip, GATEWAY, MTU);
    }

    private TestPod newPod(String name, String ip, String gateway, int mtu) {
        String netns = newNamespace("p" + podCount++);
        PodAttachment attachment = new PodAttachment("c" + run + name, "eth0", new PodRef("ns-" + run, name));
        InetAddress gw = address(gateway);
        PodInterfaceRequest request = new PodInterfaceRequest(attachment, Path.of("/var/run/netns", netns),
                List.of(new IpAddress(address(ip), 24, Optional.of(gw))),
                List.of(new Route(IpPrefix.parse("0.0.0.0/0"), Optional.of(gw))), mtu, Optional.empty());
        return new TestPod(netns, attachment, request);
    }

    private String nodeExec(String... argv) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", nodeNs));
        full.addAll(List.of(argv));
        return run(full.toArray(String[]::new));
    }

    private void restoreInNode(String input) throws IOException {
        Path file = Files.createTempFile(stateDir, "rules", ".txt");
        Files.writeString(file, input);
        try {
            nodeExec("sh", "-c", "iptables-restore --noflush < " + file);
        } finally {
            Files.delete(file);
        }
    }

    /** iptables-save output without its "# Generated/Completed on <time>" lines. */
    private static List<String> withoutComments(String save) {
        return save.lines().filter(l -> !l.startsWith("#")).toList();
    }

    private static boolean linkExists(String netns, String name) {
        return exec("ip", "-n", netns, "link", "show", "dev", name).succeeded();
    }

    private static void assertPing(TestPod from, String to) {
        TestCommands.Result r = ping(from, to);
        assertThat(r.succeeded()).as("ping %s -> %s: %s %s", from.attachment().pod(), to, r.stdout(), r.stderr()).isTrue();
    }

    private static void assertNoPing(TestPod from, String to) {
        TestCommands.Result r = ping(from, to);
        assertThat(r.succeeded()).as("ping %s -> %s should fail: %s", from.attachment().pod(), to, r.stdout()).isFalse();
    }

    private static TestCommands.Result ping(TestPod from, String to) {
        return exec("ip", "netns", "exec", from.netns(), "ping", "-c", "2", "-i", "0.2", "-W", "2", to);
    }

    private String tcpEcho(TestPod server, String ip, TestPod client) throws Exception {
        try (NetNamespace serverNs = NetNamespace.open(sys, server.path());
             NetNamespace clientNs = NetNamespace.open(sys, client.path())) {
            return tcpEcho(serverNs, ip, clientNs, client.attachment().pod().name() + "->" + server.attachment().pod().name());
        }
    }

    private String tcpEchoOnNode(TestPod client) throws Exception {
        try (NetNamespace nodeNamespace = NetNamespace.named(sys, nodeNs);
             NetNamespace clientNs = NetNamespace.open(sys, client.path())) {
            return tcpEcho(nodeNamespace, GATEWAY, clientNs, client.attachment().pod().name() + "->node");
        }
    }

    private String tcpEcho(NetNamespace serverNs, String ip, NetNamespace clientNs, String message) throws Exception {
        return tcpEcho(serverNs, ip, 0, clientNs, ip, -1, message);
    }

    /**
     * A TCP server in {@code serverNs} on {@code serverIp:serverPort} (0: any) answering "from <peer>: <line>",
     * and a client in {@code clientNs} connecting to {@code connectIp:connectPort} (-1: the server's port).
     */
    private String tcpEcho(NetNamespace serverNs, String serverIp, int serverPort, NetNamespace clientNs, String connectIp,
            int connectPort, String message) throws Exception {
        // A socket stays in the namespace it was created in, whichever thread uses it later.
        try (ServerSocket server = switcher.call(serverNs, () -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(address(serverIp), serverPort));
            return s;
        })) {
            server.setSoTimeout(5000);
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept();
                     BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                     PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
                    out.println("from " + s.getInetAddress() + ": " + in.readLine());
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
            int port = connectPort < 0 ? server.getLocalPort() : connectPort;
            String reply = switcher.call(clientNs, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(address(connectIp), port), 3000);
                    s.setSoTimeout(5000);
                    PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                    out.println(message);
                    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                }
            });
            served.get(10, TimeUnit.SECONDS);
            return reply;
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
