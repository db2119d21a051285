package io.trellis.netlink;

import static io.trellis.netlink.testing.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NetlinkCodecTest {
    private static final AttrType NAME = new AttrType(3, "IFLA_IFNAME");
    private static final AttrType MTU = new AttrType(4, "IFLA_MTU");
    private static final AttrType LINKINFO = new AttrType(18, "IFLA_LINKINFO");
    private static final AttrType KIND = new AttrType(1, "IFLA_INFO_KIND");

    @Test
    void headerEncodingMatchesStructNlmsghdr() {
        NetlinkMessage m = new NetlinkMessage(18, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, 0x01020304, 0,
                bytes("00000000 00000000 00000000 00000000"));
        // nlmsg_len=32, nlmsg_type=18 (RTM_GETLINK), flags=0x301, seq, pid=0
        assertThat(m.encode()).isEqualTo(bytes("20000000 1200 0103 04030201 00000000 | 00000000 00000000 00000000 00000000"));
    }

    @Test
    void encodeLeavesFinalPaddingOutOfNlmsgLen() {
        NetlinkMessage m = new NetlinkMessage(16, 0, 1, 0, bytes("aabbcc"));
        assertThat(m.encode()).isEqualTo(bytes("13000000 1000 0000 01000000 00000000 aabbcc 00"));
    }

    @Test
    void splitsSeveralMessagesOfOneDatagram() {
        byte[] datagram = bytes("14000000 1000 0200 07000000 39300000 01020304"
                + "10000000 0300 0200 07000000 39300000");
        List<NetlinkMessage> ms = NetlinkMessageReader.split(datagram, datagram.length);
        assertThat(ms).containsExactly(
                new NetlinkMessage(16, Netlink.NLM_F_MULTI, 7, 12345, bytes("01020304")),
                new NetlinkMessage(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, 7, 12345, new byte[0]));
    }

    @Test
    void roundTripsEncodedMessages() {
        NetlinkMessage a = new NetlinkMessage(20, 5, 9, 0, bytes("0102"));
        NetlinkMessage b = new NetlinkMessage(21, 0, 10, 0, bytes("0102030405060708"));
        byte[] ea = a.encode();
        byte[] eb = b.encode();
        byte[] both = new byte[ea.length + eb.length];
        System.arraycopy(ea, 0, both, 0, ea.length);
        System.arraycopy(eb, 0, both, ea.length, eb.length);
        assertThat(NetlinkMessageReader.split(both, both.length)).containsExactly(a, b);
    }

    @Test
    void nlmsgLenBeyondDatagramNamesTheField() {
        byte[] datagram = bytes("40000000 1000 0000 01000000 00000000 00000000");
        assertThatThrownBy(() -> NetlinkMessageReader.split(datagram, datagram.length))
                .isInstanceOf(NetlinkFormatException.class)
                .hasMessage("netlink message type 16 at offset 0: nlmsg_len 64 exceeds the 20 bytes left");
    }

    @Test
    void nlmsgLenShorterThanHeaderIsRejected() {
        byte[] datagram = bytes("08000000 1000 0000 01000000 00000000");
        assertThatThrownBy(() -> NetlinkMessageReader.split(datagram, datagram.length))
                .isInstanceOf(NetlinkFormatException.class)
                .hasMessageContaining("nlmsg_len 8 is shorter than nlmsghdr (16)");
    }

    @Test
    void trailingBytesShorterThanAHeaderAreRejected() {
        byte[] datagram = bytes("10000000 0300 0000 01000000 00000000 0a0b");
        assertThatThrownBy(() -> NetlinkMessageReader.split(datagram, datagram.length))
                .isInstanceOf(NetlinkFormatException.class)
                .hasMessage("netlink message at offset 16: 2 bytes left, shorter than nlmsghdr (16)");
    }

    @Test
    void attributesParseWithPaddingAndNesting() {
        byte[] raw = bytes("0900 0300 65746830 00 000000 | 0800 0400 aa050000 | 0c00 1280 | 0800 0100 766c616e");
        Attributes a = Attributes.parse(raw, "RTM_NEWLINK");
        assertThat(a.string(NAME)).hasValue("eth0");
        assertThat(a.u32(MTU)).hasValue(1450);
        assertThat(a.find(LINKINFO).orElseThrow().flags()).isEqualTo(Netlink.NLA_F_NESTED);
        assertThat(a.nested(LINKINFO).orElseThrow().string(KIND)).hasValue("vlan");
        assertThat(a.all()).hasSize(3);
    }

    @Test
    void lastAttributeMayOmitItsPadding() {
        Attributes a = Attributes.parse(bytes("0500 0700 01"), "x");
        assertThat(a.u8(new AttrType(7, "IFLA_VXLAN_LEARNING"))).hasValue(1);
    }

    @Test
    void attributeLengthBeyondTheRunNamesOffsetAndLength() {
        byte[] raw = bytes("0800 0400 aa050000 | 2000 0300 65746830");
        assertThatThrownBy(() -> Attributes.parse(raw, "RTM_NEWLINK ifindex 3"))
                .isInstanceOf(NetlinkFormatException.class)
                .hasMessage("RTM_NEWLINK ifindex 3: attribute type 3 at offset 8: nla_len 32 exceeds the 8 bytes left");
    }

    @Test
    void attributeLengthBelowHeaderIsRejected() {
        assertThatThrownBy(() -> Attributes.parse(bytes("0200 0400 0000"), "ctx"))
                .isInstanceOf(NetlinkFormatException.class)
                .hasMessage("ctx: attribute type 4 at offset 0: nla_len 2 is shorter than its header (4)");
    }

    @Test
    void truncatedAttributeHeaderIsRejected() {
        assertThatThrownBy(() -> Attributes.parse(bytes("0800 0400 aa050000 0800"), "ctx"))
                .isInstanceOf(NetlinkFormatException.class)
                .hasMessage("ctx: truncated attribute header at offset 8: 2 bytes left, need 4");
    }

    @Test
    void wrongSizedIntegerAttributeNamesTheAttribute() {
        Attributes a = Attributes.parse(bytes("0600 0400 aa05 0000"), "RTM_NEWLINK ifindex 2");
        assertThatThrownBy(() -> a.u32(MTU))
                .isInstanceOf(NetlinkFormatException.class)
                .hasMessage("RTM_NEWLINK ifindex 2: IFLA_MTU (4) length 2, expected 4");
    }

    @Test
    void malformedNestedAttributeNamesTheNest() {
        Attributes a = Attributes.parse(bytes("0800 1200 | 0900 0100"), "RTM_NEWLINK ifindex 2");
        assertThatThrownBy(() -> a.nested(LINKINFO))
                .isInstanceOf(NetlinkFormatException.class)
                .hasMessageStartingWith("RTM_NEWLINK ifindex 2 IFLA_LINKINFO: attribute type 1 at offset 0: nla_len 9");
    }
}
