package io.trellis.netlink.route;

import static io.trellis.netlink.testing.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.netlink.NetlinkFormatException;
import io.trellis.netlink.NetlinkMessage;
import org.junit.jupiter.api.Test;

/** Byte layout of struct ndmsg and NDA_* attributes (linux/neighbour.h). */
class NeighbourMessagesTest {
    @Test
    void vxlanFloodEntryAppend() {
        Neighbour n = Neighbour.vxlanFdb(5, MacAddress.parse("00:00:00:00:00:00"), IpPrefix.parseAddress("10.0.0.2"));
        // RTM_NEWNEIGH (28), NLM_F_REQUEST|NLM_F_CREATE|NLM_F_APPEND (0xc01); ndmsg AF_BRIDGE, ifindex 5,
        // state NUD_PERMANENT|NUD_NOARP, flags NTF_SELF
        assertThat(NeighbourMessages.append(n).toMessage(6).encode()).isEqualTo(bytes("30000000 1c00 010c 06000000 00000000"
                + "07 00 0000 05000000 c000 02 00"
                + "0800 0100 0a000002"
                + "0a00 0200 000000000000 0000"));
        assertThat(NeighbourMessages.append(n).description())
                .isEqualTo("RTM_NEWNEIGH append fdb 00:00:00:00:00:00 dst 10.0.0.2 ifindex 5");
    }

    @Test
    void permanentArpEntryReplace() {
        Neighbour n = Neighbour.permanent(3, IpPrefix.parseAddress("10.0.0.9"), MacAddress.parse("02:00:00:00:00:09"));
        assertThat(NeighbourMessages.replace(n).toMessage(1).encode()).isEqualTo(bytes("30000000 1c00 0105 01000000 00000000"
                + "02 00 0000 03000000 8000 00 00"
                + "0800 0100 0a000009"
                + "0a00 0200 020000000009 0000"));
    }

    @Test
    void parsesNeighbourAndRejectsBadDestination() {
        Neighbour n = NeighbourMessages.parse(new NetlinkMessage(Rtm.RTM_NEWNEIGH, 0, 1, 0, bytes("07 00 0000 05000000 c000 02 00"
                + "0800 0100 0a000002 | 0a00 0200 0200000000aa 0000 | 0800 0700 2a000000")));
        assertThat(n.family()).isEqualTo(Rtm.AF_BRIDGE);
        assertThat(n.index()).isEqualTo(5);
        assertThat(n.state()).isEqualTo(Nda.NUD_PERMANENT | Nda.NUD_NOARP);
        assertThat(n.flags()).isEqualTo(Nda.NTF_SELF);
        assertThat(n.destination()).hasValue(IpPrefix.parseAddress("10.0.0.2"));
        assertThat(n.lladdr()).hasValue(MacAddress.parse("02:00:00:00:00:aa"));
        assertThat(n.vni()).hasValue(42);
        assertThatThrownBy(() -> NeighbourMessages.parse(new NetlinkMessage(Rtm.RTM_NEWNEIGH, 0, 1, 0,
                bytes("02 00 0000 05000000 8000 00 00 0700 0100 0a0000"))))
                .isInstanceOf(NetlinkFormatException.class)
                .hasMessage("RTM_NEWNEIGH family 2 ifindex 5: NDA_DST (1) length 3, expected 4 or 16");
    }
}
