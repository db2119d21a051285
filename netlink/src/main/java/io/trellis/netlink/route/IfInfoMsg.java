package io.trellis.netlink.route;

import io.trellis.netlink.Netlink;
import io.trellis.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * struct ifinfomsg (linux/rtnetlink.h), 16 bytes: u8 family, u8 pad, u16 type, s32 index, u32 flags,
 * u32 change (the mask of flags to change).
 */
public record IfInfoMsg(int family, int type, int index, int flags, int change) {
    public static final int SIZE = 16;

    public static IfInfoMsg of(int index) {
        return new IfInfoMsg(Rtm.AF_UNSPEC, 0, index, 0, 0);
    }

    public byte[] encode() {
        return ByteBuffer.allocate(SIZE).order(Netlink.ORDER).put((byte) family).put((byte) 0)
                .putShort((short) type).putInt(index).putInt(flags).putInt(change).array();
    }

    public static IfInfoMsg decode(ByteBuffer in, String context) {
        if (in.remaining() < SIZE) {
            throw new NetlinkFormatException(context + ": struct ifinfomsg needs " + SIZE + " bytes, got " + in.remaining());
        }
        int p = in.position();
        return new IfInfoMsg(Byte.toUnsignedInt(in.get(p)), Short.toUnsignedInt(in.getShort(p + 2)),
                in.getInt(p + 4), in.getInt(p + 8), in.getInt(p + 12));
    }
}
