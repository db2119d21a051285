package io.trellis.netlink.route;

import static io.trellis.netlink.testing.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.netlink.NetlinkMessage;
import io.trellis.netlink.NetlinkRequest;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Byte layouts from linux/rtnetlink.h (struct ifinfomsg, AF_BRIDGE = 7 from linux/socket.h),
 * linux/if_link.h (IFLA_PROTINFO = 12, IFLA_LINKINFO = 18, IFLA_INFO_SLAVE_KIND = 4,
 * IFLA_INFO_SLAVE_DATA = 5, IFLA_BRPORT_MODE = 4) and linux/netlink.h (NLA_F_NESTED = 0x8000);
 * host order is little-endian here.
 */
class BridgePortMessagesTest {

    @Test
    void hairpinOnIsAnAfBridgeSetlinkWithANestedProtinfo() {
        NetlinkRequest r = BridgePortMessages.setHairpin(9, true);
        assertThat(r.description()).isEqualTo("RTM_SETLINK ifindex 9 (bridge port) hairpin on");
        // nlmsghdr: len 44, RTM_SETLINK (19), NLM_F_REQUEST, seq 3, pid 0
        String expected = "2c000000 1300 0100 03000000 00000000"
                + "07 00 0000 09000000 00000000 00000000"   // ifinfomsg: AF_BRIDGE, index 9, no flag changes
                + "0c00 0c80"                              // IFLA_PROTINFO | NLA_F_NESTED, 12 bytes
                + "  0500 0400 01 000000";                 //   IFLA_BRPORT_MODE 1 (hairpin), padded
        assertThat(r.toMessage(3).encode()).isEqualTo(bytes(expected));
    }

    @Test
    void hairpinOffWritesZero() {
        byte[] payload = BridgePortMessages.setHairpin(300, false).payload();
        assertThat(payload).isEqualTo(bytes("07 00 0000 2c010000 00000000 00000000" + "0c00 0c80 0500 0400 00 000000"));
    }

    @Test
    void aPortNeedsAnIndex() {
        assertThatThrownBy(() -> BridgePortMessages.setHairpin(0, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("bridge port index must be positive, got 0");
    }

    @Test
    void readsHairpinFromTheSlaveDataOfABridgePort() {
        assertThat(BridgePortMessages.hairpin(link(portLinkInfo(1)))).contains(true);
        assertThat(BridgePortMessages.hairpin(link(portLinkInfo(0)))).contains(false);
    }

    @Test
    void aLinkThatIsNoBridgePortHasNoHairpinMode() {
        // IFLA_LINKINFO { IFLA_INFO_KIND "veth" } only.
        String vethOnly = "1000 1200" + "0900 0100 76657468 00 000000";
        assertThat(BridgePortMessages.hairpin(link(vethOnly))).isEmpty();
        assertThat(BridgePortMessages.hairpin(link(""))).isEmpty();
    }

    /** IFLA_LINKINFO { KIND "veth", SLAVE_KIND "bridge", SLAVE_DATA { IFLA_BRPORT_STATE 3, IFLA_BRPORT_MODE mode } }. */
    private static String portLinkInfo(int mode) {
        return "3000 1200"
                + "0900 0100 76657468 00 000000"        // IFLA_INFO_KIND "veth"
                + "0b00 0400 627269646765 00 00"        // IFLA_INFO_SLAVE_KIND "bridge"
                + "1400 0500"                           // IFLA_INFO_SLAVE_DATA, 20 bytes
                + "  0500 0100 03 000000"               //   IFLA_BRPORT_STATE 3 (forwarding)
                + "  0500 0400 0" + mode + " 000000";   //   IFLA_BRPORT_MODE
    }

    /** An RTM_NEWLINK of "tb1" (index 4) with the given extra attributes. */
    private static Link link(String extraAttributes) {
        byte[] payload = bytes("00 00 0100 04000000 00000000 00000000"  // ifinfomsg: ARPHRD_ETHER, index 4
                + "0800 0300 746231 00"                                  // IFLA_IFNAME "tb1"
                + extraAttributes);
        return LinkMessages.parse(new NetlinkMessage(Rtm.RTM_NEWLINK, 0, 1, 0, payload));
    }

    @Test
    void theTestLinkParses() {
        assertThat(link("").name()).isEqualTo("tb1");
        assertThat(link("").kind()).isEqualTo(Optional.empty());
    }
}
