package io.trellis.netlink.route;

import static io.trellis.netlink.testing.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.netlink.NetlinkFormatException;
import io.trellis.netlink.NetlinkMessage;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Byte layouts of struct ifaddrmsg (linux/if_addr.h) and struct rtmsg (linux/rtnetlink.h). */
class AddressRouteMessagesTest {
    @Test
    void addIpv4Address() {
        byte[] msg = AddressMessages.add(Address.of(5, IpPrefix.parse("10.0.0.2/24"))).toMessage(3).encode();
        // RTM_NEWADDR, REQUEST|CREATE|EXCL; ifaddrmsg AF_INET /24 flags 0 scope 0 index 5; IFA_LOCAL; IFA_ADDRESS
        assertThat(msg).isEqualTo(bytes("28000000 1400 0106 03000000 00000000"
                + "02 18 00 00 05000000"
                + "0800 0200 0a000002"
                + "0800 0100 0a000002"));
    }

    @Test
    void addIpv6AddressWithoutDad() {
        byte[] payload = AddressMessages.add(Address.of(5, IpPrefix.parse("fd00::2/64")).withoutDad()).payload();
        String addr = "fd000000 00000000 00000000 00000002";
        assertThat(payload).isEqualTo(bytes("0a 40 02 00 05000000 | 1400 0200 " + addr + " | 1400 0100 " + addr));
    }

    @Test
    void flagsAboveEightBitsGoInIfaFlags() {
        Address a = new Address(2, IpPrefix.parse("10.1.0.1/16"), 0, Rtm.IFA_F_NOPREFIXROUTE, Optional.empty());
        assertThat(AddressMessages.delete(a).payload()).isEqualTo(bytes("02 10 00 00 02000000"
                + "0800 0200 0a010001 | 0800 0100 0a010001 | 0800 0800 00020000"));
        assertThat(AddressMessages.delete(a).type()).isEqualTo(Rtm.RTM_DELADDR);
    }

    @Test
    void parsesNewaddrPreferringIfaLocalAndIfaFlags() {
        Address a = AddressMessages.parse(new NetlinkMessage(Rtm.RTM_NEWADDR, 0, 1, 0, bytes("02 18 80 00 07000000"
                + "0800 0100 0a000063"          // IFA_ADDRESS (the peer on point-to-point links)
                + "0800 0200 0a000002"          // IFA_LOCAL
                + "0900 0300 65746830 00 000000"
                + "0800 0800 80020000")));      // IFA_FLAGS PERMANENT|NOPREFIXROUTE
        assertThat(a.index()).isEqualTo(7);
        assertThat(a.prefix()).isEqualTo(IpPrefix.parse("10.0.0.2/24"));
        assertThat(a.flags()).isEqualTo(Rtm.IFA_F_PERMANENT | Rtm.IFA_F_NOPREFIXROUTE);
        assertThat(a.label()).hasValue("eth0");
    }

    @Test
    void newaddrWithAddressOfTheWrongLengthIsRejected() {
        assertThatThrownBy(() -> AddressMessages.parse(new NetlinkMessage(Rtm.RTM_NEWADDR, 0, 1, 0,
                bytes("0a 40 00 00 07000000 0800 0100 0a000063"))))
                .isInstanceOf(NetlinkFormatException.class)
                .hasMessage("RTM_NEWADDR ifindex 7: address length 4 does not match family 10");
    }

    @Test
    void defaultRouteViaGateway() {
        Route r = Route.defaultVia(IpPrefix.parseAddress("10.0.0.1"), 2);
        byte[] msg = RouteMessages.add(r).toMessage(1).encode();
        // rtmsg: AF_INET, dst_len 0, src_len 0, tos 0, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST, flags 0
        assertThat(msg).isEqualTo(bytes("2c000000 1800 0106 01000000 00000000"
                + "02 00 00 00 fe 03 00 01 00000000"
                + "0800 0500 0a000001"           // RTA_GATEWAY
                + "0800 0400 02000000"));        // RTA_OIF
        assertThat(RouteMessages.add(r).description()).isEqualTo("RTM_NEWROUTE default via 10.0.0.1 oif 2");
    }

    @Test
    void onLinkRouteAndOnLinkGatewayAndReplace() {
        Route host = Route.onLink(IpPrefix.parse("169.254.1.1/32"), 3);
        assertThat(RouteMessages.add(host).payload()).isEqualTo(bytes("02 20 00 00 fe 03 fd 01 00000000"
                + "0800 0100 a9fe0101 | 0800 0400 03000000"));
        Route viaOnLink = Route.defaultVia(IpPrefix.parseAddress("169.254.1.1"), 3).withOnLinkGateway();
        byte[] replace = RouteMessages.replace(viaOnLink).toMessage(1).encode();
        // NLM_F_REQUEST|NLM_F_REPLACE|NLM_F_CREATE = 0x501; rtm_flags RTNH_F_ONLINK
        assertThat(replace).isEqualTo(bytes("2c000000 1800 0105 01000000 00000000"
                + "02 00 00 00 fe 03 00 01 04000000"
                + "0800 0500 a9fe0101 | 0800 0400 03000000"));
    }

    @Test
    void deleteUsesScopeNowhereAndLargeTablesUseRtaTable() {
        Route r = Route.via(IpPrefix.parse("fd00:1::/64"), IpPrefix.parseAddress("fd00::1"), 4).withTable(1000)
                .withPriority(100);
        String dst = "fd000001 00000000 00000000 00000000";
        String gw = "fd000000 00000000 00000000 00000001";
        assertThat(RouteMessages.delete(r).payload()).isEqualTo(bytes("0a 40 00 00 00 03 ff 01 00000000"
                + "1400 0100 " + dst
                + "0800 0600 64000000"
                + "1400 0500 " + gw
                + "0800 0400 04000000"
                + "0800 0f00 e8030000"));
    }

    @Test
    void parsesNewrouteWithTableAttribute() {
        Route r = RouteMessages.parse(new NetlinkMessage(Rtm.RTM_NEWROUTE, 0, 1, 0, bytes("02 18 00 00 fe 02 fd 01 00000000"
                + "0800 0f00 fe000000"
                + "0800 0100 0a000000"
                + "0800 0700 0a000002"
                + "0800 0400 07000000")));
        assertThat(r).isEqualTo(new Route(IpPrefix.parse("10.0.0.0/24"), Optional.empty(),
                java.util.OptionalInt.of(7), Rtm.RT_SCOPE_LINK, Rtm.RT_TABLE_MAIN, Rtm.RTPROT_KERNEL, Rtm.RTN_UNICAST, 0,
                Optional.of(IpPrefix.parseAddress("10.0.0.2")), java.util.OptionalInt.empty()));
    }

    @Test
    void newrouteWithBadGatewayLengthNamesTheField() {
        assertThatThrownBy(() -> RouteMessages.parse(new NetlinkMessage(Rtm.RTM_NEWROUTE, 0, 1, 0,
                bytes("02 00 00 00 fe 03 00 01 00000000 0600 0500 0a00 0000"))))
                .isInstanceOf(NetlinkFormatException.class)
                .hasMessage("RTM_NEWROUTE family 2 dst_len 0: RTA_GATEWAY length 2, expected 4");
    }

    @Test
    void gatewayOfAnotherFamilyIsRejected() {
        assertThatThrownBy(() -> Route.via(IpPrefix.parse("10.0.0.0/8"), IpPrefix.parseAddress("fd00::1"), 1))
                .hasMessageContaining("another address family");
    }

    @Test
    void prefixAndMacParsing() {
        assertThat(IpPrefix.parse("10.1.2.3").prefixLength()).isEqualTo(32);
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.1/33")).hasMessageContaining("out of range 0..32");
        assertThatThrownBy(() -> IpPrefix.parse("example.com/8")).hasMessageContaining("not an IP address literal");
        assertThat(MacAddress.parse("02:00:0A:63:00:02").toString()).isEqualTo("02:00:0a:63:00:02");
        assertThatThrownBy(() -> MacAddress.parse("02:00:0a:63:00")).hasMessageContaining("6 colon-separated");
    }
}
