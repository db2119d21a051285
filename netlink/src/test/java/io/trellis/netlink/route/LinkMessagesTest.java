package io.trellis.netlink.route;

import static io.trellis.netlink.testing.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.netlink.Attribute;
import io.trellis.netlink.NetlinkFormatException;
import io.trellis.netlink.NetlinkMessage;
import io.trellis.netlink.NetlinkRequest;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Byte layouts from linux/rtnetlink.h (struct ifinfomsg), linux/if_link.h and linux/veth.h; host order is little-endian here. */
class LinkMessagesTest {
    private static final String EMPTY_IFINFOMSG = "00 00 0000 00000000 00000000 00000000";

    @Test
    void vethWithPeerCreatedInAnotherNamespace() {
        NetlinkRequest r = LinkMessages.newVeth(new VethSpec(LinkSpec.named("veth0"),
                new LinkSpec("eth0", OptionalInt.of(7), OptionalInt.of(1450), Optional.empty())));
        assertThat(r.description()).isEqualTo("RTM_NEWLINK veth0 (veth peer eth0)");
        // nlmsghdr: len 112, RTM_NEWLINK, NLM_F_REQUEST|NLM_F_CREATE|NLM_F_EXCL (0x601), seq 1, pid 0
        String expected = "70000000 1000 0106 01000000 00000000"
                + EMPTY_IFINFOMSG
                + "0a00 0300 7665746830 00 0000"        // IFLA_IFNAME "veth0"
                + "4400 1200"                           // IFLA_LINKINFO, 68 bytes
                + "  0900 0100 76657468 00 000000"      //   IFLA_INFO_KIND "veth"
                + "  3400 0200"                         //   IFLA_INFO_DATA, 52 bytes
                + "    3000 0100"                       //     VETH_INFO_PEER, 48 bytes
                + "      " + EMPTY_IFINFOMSG             //       the peer's ifinfomsg
                + "      0900 0300 65746830 00 000000"  //       IFLA_IFNAME "eth0"
                + "      0800 0400 aa050000"            //       IFLA_MTU 1450
                + "      0800 1c00 07000000";           //       IFLA_NET_NS_FD 7
        assertThat(r.toMessage(1).encode()).isEqualTo(bytes(expected));
    }

    @Test
    void setLinkByNameUpWithMtuAndMac() {
        NetlinkRequest r = LinkMessages.setLink(LinkRef.name("eth0"),
                LinkChange.none().withUp(true).withMtu(1450).withMac(MacAddress.parse("02:00:0a:63:00:02")));
        assertThat(r.description()).isEqualTo("RTM_SETLINK eth0 up mtu 1450 address 02:00:0a:63:00:02");
        String expected = "40000000 1300 0100 02000000 00000000"
                + "00 00 0000 00000000 01000000 01000000"   // index 0 (by name), flags IFF_UP, change IFF_UP
                + "0900 0300 65746830 00 000000"
                + "0800 0400 aa050000"
                + "0a00 0100 02000a630002 0000";           // IFLA_ADDRESS
        assertThat(r.toMessage(2).encode()).isEqualTo(bytes(expected));
    }

    @Test
    void renameAndMoveUseTheIndex() {
        NetlinkRequest r = LinkMessages.setLink(LinkRef.index(9), new LinkChange(Optional.of(false), OptionalInt.empty(),
                Optional.empty(), Optional.of("eth0"), OptionalInt.of(5), OptionalInt.of(0)));
        String expected = EMPTY_IFINFOMSG.replace("00000000 00000000 00000000", "09000000 00000000 01000000")
                + "0900 0300 65746830 00 000000"
                + "0800 0a00 00000000"                     // IFLA_MASTER 0 = nomaster
                + "0800 1c00 05000000";
        assertThat(r.payload()).isEqualTo(bytes(expected));
        assertThatThrownBy(() -> LinkMessages.setLink(LinkRef.name("x"), LinkChange.none().withName("y")))
                .hasMessageContaining("needs the link's index");
    }

    @Test
    void vxlanWithLocalPortAndLearningOff() throws Exception {
        NetlinkRequest r = LinkMessages.newVxlan(VxlanSpec.of(LinkSpec.named("vx0"), 42)
                .withLocal(IpPrefix.parseAddress("10.0.0.1")).withUnderlay(3));
        String expected = EMPTY_IFINFOMSG
                + "0800 0300 76783000"                      // IFLA_IFNAME "vx0"
                + "3c00 1200"                               // IFLA_LINKINFO, 60
                + "  0a00 0100 7678 6c616e 00 0000"         //   IFLA_INFO_KIND "vxlan"
                + "  2c00 0200"                             //   IFLA_INFO_DATA, 44
                + "    0800 0100 2a000000"                  //     IFLA_VXLAN_ID 42
                + "    0800 0400 0a000001"                  //     IFLA_VXLAN_LOCAL 10.0.0.1
                + "    0800 0300 03000000"                  //     IFLA_VXLAN_LINK 3
                + "    0600 0f00 12b5 0000"                 //     IFLA_VXLAN_PORT 4789, network order
                + "    0500 0700 00 000000";                //     IFLA_VXLAN_LEARNING 0
        assertThat(r.payload()).isEqualTo(bytes(expected));
    }

    @Test
    void bridgeAndDeleteAndGet() {
        assertThat(LinkMessages.newBridge(LinkSpec.named("br0")).payload()).isEqualTo(bytes(EMPTY_IFINFOMSG
                + "0800 0300 62723000 | 1000 1200 0b00 0100 627269646765 00 00"));
        NetlinkRequest del = LinkMessages.deleteLink(LinkRef.index(12));
        assertThat(del.toMessage(4).encode()).isEqualTo(bytes("20000000 1100 0100 04000000 00000000"
                + "00 00 0000 0c000000 00000000 00000000"));
        assertThat(LinkMessages.getLink(LinkRef.name("lo")).payload())
                .isEqualTo(bytes(EMPTY_IFINFOMSG + "0700 0300 6c6f0000"));
        assertThat(LinkMessages.dumpLinks().toMessage(1).encode())
                .isEqualTo(bytes("20000000 1200 0103 01000000 00000000" + EMPTY_IFINFOMSG));
    }

    @Test
    void parsesANewlinkMessageKeepingUnknownAttributes() {
        String payload = "00 00 0100 07000000 43100100 00000000"    // ARPHRD_ETHER, index 7, UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
                + "0900 0300 65746830 00 000000"
                + "0800 0400 aa050000"
                + "0a00 0100 02000a630002 0000"
                + "0800 0500 08000000"                       // IFLA_LINK 8 (the veth peer)
                + "0800 2500 00000000"                       // IFLA_LINK_NETNSID 0
                + "0500 1000 06 000000"                      // IFLA_OPERSTATE UP
                + "1000 1200 | 0900 0100 76657468 00 000000" // IFLA_LINKINFO { IFLA_INFO_KIND "veth" }
                + "0800 3c00 01020304";                      // type 60: not interpreted, kept
        Link link = LinkMessages.parse(new NetlinkMessage(Rtm.RTM_NEWLINK, 0, 1, 0, bytes(payload)));
        assertThat(link.index()).isEqualTo(7);
        assertThat(link.name()).isEqualTo("eth0");
        assertThat(link.hardwareType()).isEqualTo(1);
        assertThat(link.isUp()).isTrue();
        assertThat(link.hasCarrier()).isTrue();
        assertThat(link.mtu()).isEqualTo(1450);
        assertThat(link.mac()).hasValue(MacAddress.parse("02:00:0a:63:00:02"));
        assertThat(link.kind()).hasValue("veth");
        assertThat(link.parentIndex()).hasValue(8);
        assertThat(link.linkNetnsId()).hasValue(0);
        assertThat(link.masterIndex()).isEmpty();
        assertThat(link.operState()).isEqualTo(Ifla.IF_OPER_UP);
        assertThat(link.attributes().all()).contains(new Attribute(60, 0, bytes("01020304")));
    }

    @Test
    void newlinkWithoutNameOrWithShortHeaderIsRejected() {
        assertThatThrownBy(() -> LinkMessages.parse(new NetlinkMessage(Rtm.RTM_NEWLINK, 0, 1, 0,
                bytes("00 00 0100 07000000 43100100 00000000 0800 0400 aa050000"))))
                .isInstanceOf(NetlinkFormatException.class)
                .hasMessage("RTM_NEWLINK ifindex 7: missing attribute IFLA_IFNAME (3)");
        assertThatThrownBy(() -> LinkMessages.parse(new NetlinkMessage(Rtm.RTM_NEWLINK, 0, 1, 0, bytes("00000100 07000000"))))
                .isInstanceOf(NetlinkFormatException.class)
                .hasMessage("RTM_NEWLINK: struct ifinfomsg needs 16 bytes, got 8");
        assertThatThrownBy(() -> LinkMessages.parse(new NetlinkMessage(Rtm.RTM_NEWLINK, 0, 1, 0,
                bytes(EMPTY_IFINFOMSG + "0900 0300 65746830 00 000000 0600 0400 aa05 0000"))))
                .hasMessage("RTM_NEWLINK ifindex 0: IFLA_MTU (4) length 2, expected 4");
    }

    @Test
    void invalidNamesAreRejectedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> LinkSpec.named("a-very-long-name0")).hasMessageContaining("max 15");
        assertThatThrownBy(() -> LinkSpec.named("a/b")).hasMessageContaining("invalid character");
        assertThatThrownBy(() -> LinkSpec.named("")).hasMessageContaining("empty");
    }
}
