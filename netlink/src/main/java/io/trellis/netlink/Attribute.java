package io.trellis.netlink;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One netlink attribute (struct nlattr / struct rtattr) as received: type without the flag bits, the
 * NLA_F_NESTED / NLA_F_NET_BYTEORDER flags, and the payload without padding. Unknown attributes are kept
 * in this raw form rather than dropped.
 */
public record Attribute(int type, int flags, byte[] value) {
    public Attribute {
        if (type < 0 || type > Netlink.NLA_TYPE_MASK) {
            throw new IllegalArgumentException("attribute type " + type + " out of range");
        }
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    int length() {
        return value.length;
    }

    byte byteAt(int i) {
        return value[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Attribute a && a.type == type && a.flags == flags && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type + flags) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Attribute[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", value="
                + HexFormat.of().formatHex(value) + "]";
    }
}
