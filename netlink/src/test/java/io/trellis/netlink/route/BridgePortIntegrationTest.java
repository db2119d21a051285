package io.trellis.netlink.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trellis.netlink.NetlinkException;
import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.netlink.testing.Shell;
import io.trellis.netlink.testing.TestNamespaces;
import org.junit.jupiter.api.Test;

/** Hairpin mode on a real bridge port in a namespace created for the test, checked with {@code ip -d -j link}. */
class BridgePortIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Syscalls sys = Syscalls.system();
    private final NamespaceSwitcher switcher = new NamespaceSwitcher(sys);

    @Test
    void setsAndReadsHairpinModeOfABridgePort() throws Exception {
        try (TestNamespaces namespaces = new TestNamespaces()) {
            String ns = namespaces.create("b");
            try (NetNamespace node = NetNamespace.named(sys, ns); RtNetlink rt = RtNetlink.openIn(sys, switcher, node)) {
                rt.links().createBridge(LinkSpec.named("br0"));
                rt.links().createVeth(new VethSpec(LinkSpec.named("p0"), LinkSpec.named("p0peer")));

                assertThat(rt.bridgePorts().hairpin("p0")).isEmpty();
                assertThatThrownBy(() -> rt.bridgePorts().setHairpin("p0", true)).isInstanceOf(NetlinkException.class)
                        .hasMessageContaining("RTM_SETLINK ifindex " + rt.links().require("p0").index() + " (bridge port) hairpin on");

                rt.links().setMaster("p0", "br0");
                assertThat(rt.bridgePorts().hairpin("p0")).contains(false);
                assertThat(hairpinSeenByIp(ns, "p0")).isFalse();

                rt.bridgePorts().setHairpin("p0", true);
                assertThat(rt.bridgePorts().hairpin("p0")).contains(true);
                assertThat(hairpinSeenByIp(ns, "p0")).isTrue();

                rt.bridgePorts().setHairpin("p0", false);
                assertThat(rt.bridgePorts().hairpin("p0")).contains(false);
                assertThat(hairpinSeenByIp(ns, "p0")).isFalse();
            }
        }
    }

    private static boolean hairpinSeenByIp(String ns, String port) throws Exception {
        JsonNode links = JSON.readTree(Shell.run("ip", "-n", ns, "-d", "-j", "link", "show", "dev", port));
        JsonNode slave = links.get(0).path("linkinfo").path("info_slave_data");
        assertThat(slave.has("hairpin")).as("ip -d -j link show %s: %s", port, links).isTrue();
        return slave.get("hairpin").asBoolean();
    }
}
