package io.trellis.iptables.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.netlink.route.IpPrefix;
import io.trellis.netlink.route.MacAddress;
import io.trellis.netlink.route.NeighbourMessages;
import io.trellis.netlink.route.RouteMessages;
import java.net.Inet4Address;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The exact requests the driver sends for its entries, byte for byte, against the layouts of
 * linux/netlink.h (struct nlmsghdr, 16 bytes), linux/neighbour.h (struct ndmsg, 12 bytes: family,
 * pad1, pad2, ifindex, state, flags, type; NDA_DST = 1, NDA_LLADDR = 2; NUD_NOARP 0x40, NUD_PERMANENT
 * 0x80; NTF_SELF 0x02) and linux/rtnetlink.h (struct rtmsg, 12 bytes: family, dst_len, src_len, tos,
 * table, protocol, scope, type, u32 flags; RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5; RTM_NEWNEIGH 28,
 * RTM_DELNEIGH 29, RTM_NEWROUTE 24, RTM_DELROUTE 25; RT_TABLE_MAIN 254, RT_SCOPE_NOWHERE 255,
 * RTN_UNICAST 1, RTNH_F_ONLINK 4). Host order little-endian, as on the CI machines.
 */
class KernelEntryEncodingTest {
    private static final int VX = 9;
    private static final MacAddress MAC = MacAddress.parse("02:74:0a:fb:00:02");

    private static Inet4Address ip(String text) {
        return (Inet4Address) IpPrefix.parseAddress(text);
    }

    private static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replaceAll("\\s", ""));
    }

    @Test
    void fdbEntryReplaceAndDelete() {
        KernelEntry.Fdb fdb = new KernelEntry.Fdb(MAC, ip("10.251.0.2"));
        String body = "07 00 0000 09000000 c000 02 00"   // AF_BRIDGE, ifindex 9, PERMANENT|NOARP, NTF_SELF
                + "0800 0100 0afb0002"                   // NDA_DST 10.251.0.2 (the remote node)
                + "0a00 0200 02740afb0002 0000";         // NDA_LLADDR 02:74:0a:fb:00:02, padded to 4
        // RTM_NEWNEIGH, NLM_F_REQUEST|NLM_F_REPLACE|NLM_F_CREATE (0x0501)
        assertThat(NeighbourMessages.replace(fdb.toNeighbour(VX)).toMessage(3).encode())
                .isEqualTo(hex("30000000 1c00 0105 03000000 00000000" + body));
        // RTM_DELNEIGH, NLM_F_REQUEST: with NDA_DST only this remote of the MAC goes
        assertThat(NeighbourMessages.delete(fdb.toNeighbour(VX)).toMessage(4).encode())
                .isEqualTo(hex("30000000 1d00 0100 04000000 00000000" + body));
    }

    @Test
    void permanentArpEntryOnTheVxlanDevice() {
        KernelEntry.Arp arp = new KernelEntry.Arp(ip("10.20.2.0"), MAC);
        assertThat(NeighbourMessages.replace(arp.toNeighbour(VX)).toMessage(5).encode()).isEqualTo(hex(
                "30000000 1c00 0105 05000000 00000000"
                + "02 00 0000 09000000 8000 00 00"       // AF_INET, ifindex 9, NUD_PERMANENT, no flags
                + "0800 0100 0a140200"                   // NDA_DST 10.20.2.0 (the remote VTEP)
                + "0a00 0200 02740afb0002 0000"));
    }

    @Test
    void onLinkRouteWithTheBackendsProtocol() {
        KernelEntry.PodRoute route = new KernelEntry.PodRoute(IpPrefix.parse("10.20.2.0/24"), ip("10.20.2.0"), VX, true);
        String attributes = "0800 0100 0a140200"       // RTA_DST 10.20.2.0
                + "0800 0500 0a140200"                  // RTA_GATEWAY 10.20.2.0
                + "0800 0400 09000000";                 // RTA_OIF 9
        // RTM_NEWROUTE replace: main table, protocol 117 (0x75), scope universe, unicast, RTNH_F_ONLINK
        assertThat(RouteMessages.replace(route.toRoute()).toMessage(6).encode()).isEqualTo(hex(
                "34000000 1800 0105 06000000 00000000"
                + "02 18 00 00 fe 75 00 01 04000000" + attributes));
        // RTM_DELROUTE: scope RT_SCOPE_NOWHERE (any); protocol 117 so only this backend's route matches
        assertThat(RouteMessages.delete(route.toRoute()).toMessage(7).encode()).isEqualTo(hex(
                "34000000 1900 0100 07000000 00000000"
                + "02 18 00 00 fe 75 ff 01 04000000" + attributes));
    }

    @Test
    void hostGatewayRouteIsNotOnLink() {
        KernelEntry.PodRoute route = new KernelEntry.PodRoute(IpPrefix.parse("10.20.2.0/24"), ip("10.251.0.2"), 2, false);
        assertThat(RouteMessages.replace(route.toRoute()).payload()).isEqualTo(hex(
                "02 18 00 00 fe 75 00 01 00000000"
                + "0800 0100 0a140200 0800 0500 0afb0002 0800 0400 02000000"));
    }
}
