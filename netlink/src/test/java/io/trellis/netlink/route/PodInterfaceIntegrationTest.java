package io.trellis.netlink.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trellis.netlink.Errno;
import io.trellis.netlink.NetlinkException;
import io.trellis.netlink.ethtool.Ethtool;
import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.netlink.testing.Shell;
import io.trellis.netlink.testing.TestNamespaces;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against the real kernel, as root: the pod interface setup the agent needs, done through this module only,
 * verified with iproute2/ethtool output and traffic between two namespaces created for the test ("node" and
 * "pod"). Nothing is created outside those namespaces.
 */
class PodInterfaceIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MacAddress POD_MAC = MacAddress.parse("02:00:0a:63:00:02");

    private final Syscalls sys = Syscalls.system();
    private final NamespaceSwitcher switcher = new NamespaceSwitcher(sys);
    private final List<AutoCloseable> open = new ArrayList<>();
    private TestNamespaces namespaces;
    private String nodeName;
    private String podName;
    private NetNamespace node;
    private NetNamespace pod;
    private RtNetlink nodeRt;
    private RtNetlink podRt;

    @BeforeEach
    void setUp() {
        namespaces = new TestNamespaces();
        nodeName = namespaces.create("n");
        podName = namespaces.create("p");
        node = keep(NetNamespace.named(sys, nodeName));
        pod = keep(NetNamespace.named(sys, podName));
        nodeRt = keep(RtNetlink.openIn(sys, switcher, node));
        podRt = keep(RtNetlink.openIn(sys, switcher, pod));
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        } finally {
            namespaces.close();
        }
    }

    private <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    private static JsonNode ipJson(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns, "-j"));
        cmd.addAll(List.of(args));
        try {
            return JSON.readTree(Shell.run(cmd.toArray(String[]::new)));
        } catch (java.io.IOException e) {
            throw new AssertionError("bad JSON from " + cmd, e);
        }
    }

    private static JsonNode parseJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("bad JSON: " + text, e);
        }
    }

    private static List<JsonNode> elements(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).toList();
    }

    /** Creates the veth pair from the node namespace with the peer created straight in the pod namespace. */
    private void createPodVeth() {
        nodeRt.links().createVeth(new VethSpec(LinkSpec.named("trnlh0"), LinkSpec.named("trnlp0").inNamespace(pod)));
    }

    @Test
    void setsUpAPodInterfaceLikeTheAgent() throws Exception {
        createPodVeth();
        // The peer exists only in the pod namespace, under its creation name.
        assertThat(nodeRt.links().get("trnlp0")).isEmpty();
        Link created = podRt.links().require("trnlp0");
        assertThat(created.kind()).hasValue("veth");

        podRt.links().rename("trnlp0", "eth0");
        podRt.links().setMac("eth0", POD_MAC);
        podRt.links().setMtu("eth0", 1450);
        Link eth0 = podRt.links().require("eth0");
        podRt.addresses().add(eth0.index(), IpPrefix.parse("10.99.0.2/24"));
        podRt.addresses().add(Address.of(eth0.index(), IpPrefix.parse("fd99::2/64")).withoutDad());
        podRt.links().setUp("eth0");

        Link host = nodeRt.links().require("trnlh0");
        nodeRt.links().modify("trnlh0", LinkChange.none().withMtu(1450).withUp(true));
        nodeRt.addresses().add(host.index(), IpPrefix.parse("10.99.0.1/24"));
        nodeRt.addresses().add(Address.of(host.index(), IpPrefix.parse("fd99::1/64")).withoutDad());
        // An address beyond the pod subnet, reachable from the pod only through its default route.
        nodeRt.addresses().add(nodeRt.links().require("lo").index(), IpPrefix.parse("10.98.0.1/32"));

        podRt.routes().add(Route.defaultVia(InetAddress.getByName("10.99.0.1"), eth0.index()));
        podRt.routes().add(Route.defaultVia(InetAddress.getByName("fd99::1"), eth0.index()));

        Ethtool ethtool = new Ethtool(sys, switcher);
        assertThat(ethtool.txChecksum(pod, "eth0")).as("veth default").isTrue();
        ethtool.setTxChecksum(pod, "eth0", false);
        assertThat(ethtool.txChecksum(pod, "eth0")).isFalse();

        // --- verified with iproute2 and ethtool, parsed here ---
        JsonNode link = ipJson(podName, "link", "show", "eth0").get(0);
        assertThat(link.get("mtu").asInt()).isEqualTo(1450);
        assertThat(link.get("address").asText()).isEqualTo(POD_MAC.toString());
        assertThat(elements(link.get("flags"))).extracting(JsonNode::asText).contains("UP", "LOWER_UP");

        List<String> addrs = elements(ipJson(podName, "addr", "show", "dev", "eth0").get(0).get("addr_info")).stream()
                .map(a -> a.get("local").asText() + "/" + a.get("prefixlen").asInt()).toList();
        assertThat(addrs).contains("10.99.0.2/24", "fd99::2/64");

        JsonNode v4default = elements(ipJson(podName, "route", "show")).stream()
                .filter(r -> r.get("dst").asText().equals("default")).findFirst().orElseThrow();
        assertThat(v4default.get("gateway").asText()).isEqualTo("10.99.0.1");
        assertThat(v4default.get("dev").asText()).isEqualTo("eth0");
        JsonNode v6default = elements(ipJson(podName, "-6", "route", "show")).stream()
                .filter(r -> r.get("dst").asText().equals("default")).findFirst().orElseThrow();
        assertThat(v6default.get("gateway").asText()).isEqualTo("fd99::1");

        String features = Shell.run("ip", "netns", "exec", podName, "ethtool", "-k", "eth0");
        assertThat(features.lines()).contains("tx-checksumming: off");

        // --- and read back through this module ---
        Link read = podRt.links().require("eth0");
        assertThat(read.mtu()).isEqualTo(1450);
        assertThat(read.mac()).hasValue(POD_MAC);
        assertThat(read.isUp()).isTrue();
        assertThat(read.linkNetnsId()).as("peer lives in another netns").isPresent();
        assertThat(podRt.addresses().listOn(read.index())).extracting(Address::prefix)
                .contains(IpPrefix.parse("10.99.0.2/24"), IpPrefix.parse("fd99::2/64"));
        assertThat(podRt.routes().list(Rtm.AF_INET)).anySatisfy(r -> {
            assertThat(r.isDefault()).isTrue();
            assertThat(r.gateway()).hasValue(InetAddress.getByName("10.99.0.1"));
            assertThat(r.outputIndex()).hasValue(read.index());
        });
        assertThat(podRt.routes().list(Rtm.AF_INET)).anySatisfy(r -> {
            assertThat(r.destination()).isEqualTo(IpPrefix.parse("10.99.0.0/24"));
            assertThat(r.scope()).isEqualTo(Rtm.RT_SCOPE_LINK);
            assertThat(r.protocol()).isEqualTo(Rtm.RTPROT_KERNEL);
        });

        // --- traffic, only between the two test namespaces ---
        Shell.run("ip", "netns", "exec", podName, "ping", "-c", "1", "-W", "3", "10.99.0.1");
        Shell.run("ip", "netns", "exec", podName, "ping", "-c", "1", "-W", "3", "10.98.0.1");
        Shell.run("ip", "netns", "exec", nodeName, "ping", "-c", "1", "-W", "3", "10.99.0.2");
        Shell.run("ip", "netns", "exec", podName, "ping", "-6", "-c", "1", "-W", "3", "fd99::1");

        // --- deleting the node end removes both ends ---
        nodeRt.links().delete("trnlh0");
        assertThat(nodeRt.links().get("trnlh0")).isEmpty();
        assertThat(podRt.links().get("eth0")).isEmpty();
        assertThat(elements(ipJson(podName, "link", "show"))).extracting(l -> l.get("ifname").asText())
                .containsExactly("lo");
    }

    @Test
    void errorsNameTheRequestAndTheErrno() {
        createPodVeth();
        assertThatThrownBy(this::createPodVeth)
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.is(Errno.EEXIST)).isTrue())
                .hasMessageStartingWith("RTM_NEWLINK trnlh0 (veth peer trnlp0): File exists (EEXIST)");
        assertThatThrownBy(() -> podRt.links().setUp("nosuch0"))
                .isInstanceOf(NetlinkException.class)
                .hasMessageStartingWith("RTM_SETLINK nosuch0 up: No such device (ENODEV)");
        assertThatThrownBy(() -> podRt.links().require("nosuch0"))
                .hasMessageStartingWith("RTM_GETLINK nosuch0: No such device (ENODEV)");
        assertThatThrownBy(() -> podRt.links().delete("nosuch0"))
                .hasMessageStartingWith("RTM_DELLINK nosuch0: No such device (ENODEV)");
        int p0 = podRt.links().require("trnlp0").index();
        podRt.addresses().add(p0, IpPrefix.parse("10.99.0.2/24"));
        assertThatThrownBy(() -> podRt.addresses().add(p0, IpPrefix.parse("10.99.0.2/24")))
                .hasMessageStartingWith("RTM_NEWADDR 10.99.0.2/24 ifindex " + p0 + ": File exists (EEXIST)");
        assertThatThrownBy(() -> podRt.routes().add(Route.defaultVia(IpPrefix.parseAddress("10.50.0.1"), p0)))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isIn("ENETUNREACH", "ENETDOWN"))
                .hasMessageStartingWith("RTM_NEWROUTE default via 10.50.0.1 oif " + p0 + ": ");
        // The socket stays usable after errors.
        assertThat(podRt.links().list()).extracting(Link::name).containsExactlyInAnyOrder("lo", "trnlp0");
    }

    @Test
    void routeVariantsAddReplaceAndDelete() throws Exception {
        createPodVeth();
        int eth = podRt.links().require("trnlp0").index();
        podRt.links().setUp("trnlp0");
        // Calico-style: a link-scope host route to a gateway outside any subnet, then default via it.
        Route gwRoute = Route.onLink(IpPrefix.parse("169.254.1.1/32"), eth);
        podRt.routes().add(gwRoute);
        InetAddress gw = InetAddress.getByName("169.254.1.1");
        podRt.routes().add(Route.defaultVia(gw, eth));
        // A gateway with no route to it at all needs "onlink".
        Route svc = Route.via(IpPrefix.parse("10.96.0.0/12"), InetAddress.getByName("192.0.2.1"), eth).withOnLinkGateway();
        podRt.routes().add(svc);
        podRt.routes().add(Route.onLink(IpPrefix.parse("10.97.0.0/24"), eth));

        List<JsonNode> routes = elements(ipJson(podName, "route", "show"));
        assertThat(routes).anySatisfy(r -> {
            assertThat(r.get("dst").asText()).isEqualTo("169.254.1.1");
            assertThat(r.get("scope").asText()).isEqualTo("link");
            assertThat(r.get("dev").asText()).isEqualTo("trnlp0");
        });
        assertThat(routes).anySatisfy(r -> {
            assertThat(r.get("dst").asText()).isEqualTo("default");
            assertThat(r.get("gateway").asText()).isEqualTo("169.254.1.1");
        });
        assertThat(routes).anySatisfy(r -> {
            assertThat(r.get("dst").asText()).isEqualTo("10.96.0.0/12");
            assertThat(r.get("gateway").asText()).isEqualTo("192.0.2.1");
            assertThat(elements(r.get("flags"))).extracting(JsonNode::asText).contains("onlink");
        });
        assertThat(routes).anySatisfy(r -> {
            assertThat(r.get("dst").asText()).isEqualTo("10.97.0.0/24");
            assertThat(r.has("gateway")).isFalse();
        });
        assertThat(podRt.routes().list(Rtm.AF_INET)).anySatisfy(r -> {
            assertThat(r.destination()).isEqualTo(IpPrefix.parse("10.96.0.0/12"));
            assertThat(r.flags() & Rtm.RTNH_F_ONLINK).isEqualTo(Rtm.RTNH_F_ONLINK);
        });

        // Adding it again fails; replace changes the gateway in place.
        assertThatThrownBy(() -> podRt.routes().add(svc)).hasMessageContaining("(EEXIST)");
        podRt.routes().replace(Route.via(IpPrefix.parse("10.96.0.0/12"), InetAddress.getByName("192.0.2.9"), eth)
                .withOnLinkGateway());
        List<JsonNode> svcRoutes = elements(ipJson(podName, "route", "show", "10.96.0.0/12"));
        assertThat(svcRoutes).hasSize(1);
        assertThat(svcRoutes.get(0).get("gateway").asText()).isEqualTo("192.0.2.9");

        podRt.routes().delete(Route.via(IpPrefix.parse("10.96.0.0/12"), InetAddress.getByName("192.0.2.9"), eth));
        podRt.routes().delete(Route.onLink(IpPrefix.parse("10.97.0.0/24"), eth));
        assertThat(elements(ipJson(podName, "route", "show", "10.96.0.0/12"))).isEmpty();
        assertThat(podRt.routes().list(Rtm.AF_INET)).extracting(Route::destination)
                .doesNotContain(IpPrefix.parse("10.96.0.0/12"), IpPrefix.parse("10.97.0.0/24"))
                .contains(IpPrefix.parse("169.254.1.1/32"), IpPrefix.parse("0.0.0.0/0"));
        assertThatThrownBy(() -> podRt.routes().delete(Route.onLink(IpPrefix.parse("10.97.0.0/24"), eth)))
                .hasMessageContaining("(ESRCH)");

        podRt.addresses().add(eth, IpPrefix.parse("10.99.0.2/24"));
        podRt.addresses().delete(eth, IpPrefix.parse("10.99.0.2/24"));
        assertThat(podRt.addresses().listOn(eth)).extracting(Address::prefix)
                .doesNotContain(IpPrefix.parse("10.99.0.2/24"));
    }

    @Test
    void movesALinkToAnotherNamespaceAndBuildsBridgeAndVxlan() {
        nodeRt.links().createVeth(new VethSpec(LinkSpec.named("trnlx0").withMtu(1400), LinkSpec.named("trnlx1")));
        nodeRt.links().moveToNamespace("trnlx1", pod);
        assertThat(nodeRt.links().get("trnlx1")).isEmpty();
        assertThat(elements(ipJson(podName, "link", "show"))).extracting(l -> l.get("ifname").asText())
                .contains("trnlx1");

        nodeRt.links().createBridge(LinkSpec.named("trnlbr0"));
        nodeRt.links().createVxlan(VxlanSpec.of(LinkSpec.named("trnlvx0").withMtu(1450), 42)
                .withLocal(IpPrefix.parseAddress("10.99.0.1")));
        nodeRt.links().setMaster("trnlvx0", "trnlbr0");
        nodeRt.links().setMaster("trnlx0", "trnlbr0");
        nodeRt.links().setUp("trnlbr0");

        JsonNode vx = ipJson(nodeName, "-d", "link", "show", "trnlvx0").get(0);
        JsonNode data = vx.get("linkinfo").get("info_data");
        assertThat(vx.get("linkinfo").get("info_kind").asText()).isEqualTo("vxlan");
        assertThat(data.get("id").asInt()).isEqualTo(42);
        assertThat(data.get("port").asInt()).isEqualTo(4789);
        assertThat(data.get("local").asText()).isEqualTo("10.99.0.1");
        assertThat(data.get("learning").asBoolean()).isFalse();
        assertThat(vx.get("master").asText()).isEqualTo("trnlbr0");
        assertThat(vx.get("mtu").asInt()).isEqualTo(1450);
        JsonNode br = ipJson(nodeName, "-d", "link", "show", "trnlbr0").get(0);
        assertThat(br.get("linkinfo").get("info_kind").asText()).isEqualTo("bridge");

        int bridgeIndex = nodeRt.links().require("trnlbr0").index();
        Link x0 = nodeRt.links().require("trnlx0");
        assertThat(x0.masterIndex()).hasValue(bridgeIndex);
        assertThat(x0.mtu()).isEqualTo(1400);
        assertThat(nodeRt.links().require("trnlvx0").kind()).hasValue("vxlan");

        // VXLAN head-end replication list and a static ARP entry, as the iptables backend will program them.
        int vxIndex = nodeRt.links().require("trnlvx0").index();
        MacAddress flood = MacAddress.parse("00:00:00:00:00:00");
        nodeRt.neighbours().append(Neighbour.vxlanFdb(vxIndex, flood, IpPrefix.parseAddress("10.99.0.7")));
        nodeRt.neighbours().append(Neighbour.vxlanFdb(vxIndex, flood, IpPrefix.parseAddress("10.99.0.8")));
        List<String> fdbDsts = elements(parseJson(Shell.run("bridge", "-n", nodeName, "-j", "fdb", "show", "dev", "trnlvx0")))
                .stream().filter(e -> e.get("mac").asText().equals("00:00:00:00:00:00"))
                .map(e -> e.get("dst").asText()).toList();
        assertThat(fdbDsts).containsExactlyInAnyOrder("10.99.0.7", "10.99.0.8");
        assertThat(nodeRt.neighbours().list(Rtm.AF_BRIDGE)).filteredOn(n -> n.index() == vxIndex)
                .filteredOn(n -> n.destination().isPresent())
                .extracting(n -> n.destination().get().getHostAddress()).contains("10.99.0.7", "10.99.0.8");
        nodeRt.neighbours().delete(Neighbour.vxlanFdb(vxIndex, flood, IpPrefix.parseAddress("10.99.0.7")));
        assertThat(Shell.run("bridge", "-n", nodeName, "fdb", "show", "dev", "trnlvx0")).doesNotContain("10.99.0.7")
                .contains("10.99.0.8");

        MacAddress peerMac = MacAddress.parse("02:00:0a:63:00:09");
        nodeRt.neighbours().replace(Neighbour.permanent(x0.index(), IpPrefix.parseAddress("10.99.0.9"), peerMac));
        JsonNode neigh = ipJson(nodeName, "neigh", "show", "10.99.0.9").get(0);
        assertThat(neigh.get("lladdr").asText()).isEqualTo(peerMac.toString());
        assertThat(elements(neigh.get("state"))).extracting(JsonNode::asText).contains("PERMANENT");
        assertThat(nodeRt.neighbours().list(Rtm.AF_INET)).anySatisfy(n -> {
            assertThat(n.lladdr()).hasValue(peerMac);
            assertThat(n.state()).isEqualTo(Nda.NUD_PERMANENT);
        });

        nodeRt.links().clearMaster("trnlx0");
        assertThat(nodeRt.links().require("trnlx0").masterIndex()).isEmpty();
        nodeRt.links().delete("trnlvx0");
        nodeRt.links().delete(bridgeIndex);
        assertThat(nodeRt.links().list()).extracting(Link::name).containsExactlyInAnyOrder("lo", "trnlx0");
    }

    @Test
    void dumpsSpanningSeveralDatagramsAreComplete() {
        // Each RTM_NEWLINK with stats is over 1 KiB and the kernel sends at most ~32 KiB per datagram, so
        // 60 links make the dump arrive in several parts.
        for (int i = 0; i < 30; i++) {
            nodeRt.links().createVeth(new VethSpec(LinkSpec.named("trnlm" + i), LinkSpec.named("trnln" + i)));
        }
        List<String> expected = elements(ipJson(nodeName, "link", "show")).stream().map(l -> l.get("ifname").asText())
                .toList();
        assertThat(expected).hasSize(61);
        assertThat(nodeRt.links().list()).extracting(Link::name).containsExactlyInAnyOrderElementsOf(expected);
    }
}
