package io.trellis.iptables.vxlan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.netlink.route.IpPrefix;
import io.trellis.netlink.route.MacAddress;
import io.trellis.spi.node.NodeInfo;
import io.trellis.spi.node.NodeRouteException;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What one remote node needs, in VXLAN and in host-gateway mode. */
class RemoteNodeTest {
    private static final int VX = 9;

    private static InetAddress ip(String text) {
        return IpPrefix.parseAddress(text);
    }

    private static NodeInfo node(String name, List<String> ips, List<String> cidrs) {
        return new NodeInfo(name, ips.stream().map(RemoteNodeTest::ip).toList(),
                cidrs.stream().map(io.trellis.spi.model.IpPrefix::parse).toList());
    }

    private static final LocalView.Connected ETH0 = new LocalView.Connected(IpPrefix.parse("10.251.0.1/24"), 2);
    private static final LocalView.Connected ETH1 = new LocalView.Connected(IpPrefix.parse("192.168.7.9/16"), 3);

    @Test
    void vxlanModeGivesFdbArpAndOnLinkRouteViaTheVtep() {
        RemoteNode r = RemoteNode.of(node("n2", List.of("fd00::2", "10.251.0.2"), List.of("fd10:2::/64", "10.20.2.0/24")))
                .orElseThrow();
        assertThat(r.nodeIp()).isEqualTo(ip("10.251.0.2"));
        assertThat(r.vtepIp()).isEqualTo(ip("10.20.2.0"));
        MacAddress mac = MacAddress.parse("02:74:0a:fb:00:02");
        // Even on a shared subnet: hostGateway is off.
        assertThat(r.entries(new LocalView(VX, false, List.of(ETH0)))).containsExactly(
                new KernelEntry.Fdb(mac, (java.net.Inet4Address) ip("10.251.0.2")),
                new KernelEntry.Arp((java.net.Inet4Address) ip("10.20.2.0"), mac),
                new KernelEntry.PodRoute(IpPrefix.parse("10.20.2.0/24"), ip("10.20.2.0"), VX, true));
    }

    @Test
    void hostGatewayRoutesDirectlyOnlyToNodesOnAConnectedSubnet() {
        RemoteNode sameSubnet = RemoteNode.of(node("n2", List.of("10.251.0.2"), List.of("10.20.2.0/24"))).orElseThrow();
        RemoteNode otherLink = RemoteNode.of(node("n4", List.of("192.168.200.4"), List.of("10.20.4.0/24"))).orElseThrow();
        RemoteNode routed = RemoteNode.of(node("n3", List.of("10.252.0.3"), List.of("10.20.3.0/24"))).orElseThrow();
        LocalView view = new LocalView(VX, true, List.of(ETH0, ETH1));
        assertThat(sameSubnet.entries(view)).containsExactly(
                new KernelEntry.PodRoute(IpPrefix.parse("10.20.2.0/24"), ip("10.251.0.2"), 2, false));
        assertThat(otherLink.entries(view)).containsExactly(
                new KernelEntry.PodRoute(IpPrefix.parse("10.20.4.0/24"), ip("192.168.200.4"), 3, false));
        assertThat(routed.entries(view)).hasSize(3).last()
                .isEqualTo(new KernelEntry.PodRoute(IpPrefix.parse("10.20.3.0/24"), ip("10.20.3.0"), VX, true));
    }

    @Test
    void aNodeWithoutIpv4PodCidrHasNothingToRoute() {
        assertThat(RemoteNode.of(node("n2", List.of("10.251.0.2"), List.of()))).isEmpty();
        assertThat(RemoteNode.of(node("n2", List.of("10.251.0.2"), List.of("fd10:2::/64")))).isEmpty();
    }

    @Test
    void aNodeWithoutIpv4AddressIsAnErrorNamingIt() {
        assertThatThrownBy(() -> RemoteNode.of(node("n6", List.of("fd00::6"), List.of("10.20.6.0/24"))))
                .isInstanceOf(NodeRouteException.class)
                .hasMessage("node n6: no IPv4 internal IP in [fd00:0:0:0:0:0:0:6]; the VXLAN overlay runs over IPv4");
    }

    @Test
    void prefixArithmetic() {
        assertThat(Ipv4Prefixes.contains(IpPrefix.parse("10.251.0.1/24"), ip("10.251.0.200"))).isTrue();
        assertThat(Ipv4Prefixes.contains(IpPrefix.parse("10.251.0.1/24"), ip("10.251.1.1"))).isFalse();
        assertThat(Ipv4Prefixes.contains(IpPrefix.parse("0.0.0.0/0"), ip("1.2.3.4"))).isTrue();
        assertThat(Ipv4Prefixes.contains(IpPrefix.parse("10.0.0.0/8"), ip("fd00::1"))).isFalse();
        assertThat(Ipv4Prefixes.overlap(IpPrefix.parse("10.20.0.0/16"), IpPrefix.parse("10.20.3.0/24"))).isTrue();
        assertThat(Ipv4Prefixes.overlap(IpPrefix.parse("10.20.2.0/24"), IpPrefix.parse("10.20.3.0/24"))).isFalse();
        assertThat(Ipv4Prefixes.network(IpPrefix.parse("10.251.0.77/20"))).isEqualTo(IpPrefix.parse("10.251.0.0/20"));
    }
}
