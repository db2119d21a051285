package io.trellis.netlink;

import static io.trellis.netlink.testing.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PayloadWriterTest {
    private static final AttrType NAME = new AttrType(3, "IFLA_IFNAME");
    private static final AttrType MTU = new AttrType(4, "IFLA_MTU");
    private static final AttrType FLAG = new AttrType(7, "IFLA_VXLAN_LEARNING");
    private static final AttrType PORT = new AttrType(15, "IFLA_VXLAN_PORT");
    private static final AttrType NEST = new AttrType(18, "IFLA_LINKINFO");

    @Test
    void stringAttributeCountsItsNulButNotThePadding() {
        // nla_len = 4 + "eth0\0" = 9, then 3 padding bytes up to the 4-byte boundary.
        assertThat(new PayloadWriter().putString(NAME, "eth0").toBytes())
                .isEqualTo(bytes("0900 0300 | 65746830 00 | 000000"));
    }

    @Test
    void integerAttributesAreHostOrderExceptBigEndianOnes() {
        byte[] out = new PayloadWriter().putU32(MTU, 1450).putU8(FLAG, 1).putBe16(PORT, 4789).toBytes();
        assertThat(out).isEqualTo(bytes("0800 0400 aa050000 | 0500 0700 01 000000 | 0600 0f00 12b5 0000"));
    }

    @Test
    void attributeAlreadyAlignedGetsNoPadding() {
        assertThat(new PayloadWriter().putString(NAME, "abc").toBytes()).isEqualTo(bytes("0800 0300 61626300"));
    }

    @Test
    void nestedLengthCoversPaddedChildren() {
        byte[] out = new PayloadWriter().beginNested(NEST).putString(NAME, "veth").putU32(MTU, 9000).endNested()
                .putU8(FLAG, 0).toBytes();
        // nest: 4 header + 12 (name, padded) + 8 (mtu) = 24 = 0x18
        assertThat(out).isEqualTo(bytes("1800 1200 | 0900 0300 76657468 00 000000 | 0800 0400 28230000 | 0500 0700 00 000000"));
    }

    @Test
    void structIsPaddedToFourBytes() {
        assertThat(new PayloadWriter().putStruct(new byte[] {1, 2, 3, 4, 5}).putU8(FLAG, 9).toBytes())
                .isEqualTo(bytes("0102030405 000000 | 0500 0700 09 000000"));
    }

    @Test
    void unclosedNestIsAnError() {
        PayloadWriter w = new PayloadWriter().beginNested(NEST);
        assertThatThrownBy(w::toBytes).isInstanceOf(IllegalStateException.class).hasMessageContaining("not closed");
    }

    @Test
    void largePayloadGrowsTheBuffer() {
        PayloadWriter w = new PayloadWriter();
        for (int i = 0; i < 200; i++) {
            w.putU32(MTU, i);
        }
        byte[] out = w.toBytes();
        assertThat(out).hasSize(200 * 8);
        assertThat(Attributes.parse(out, "test").findAll(MTU)).hasSize(200);
        assertThat(out[199 * 8 + 4]).isEqualTo((byte) 199);
    }
}
