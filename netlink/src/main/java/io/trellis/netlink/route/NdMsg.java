package io.trellis.netlink.route;

import io.trellis.netlink.Netlink;
import io.trellis.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/** struct ndmsg (linux/neighbour.h), 12 bytes: u8 family, u8 pad, u16 pad, s32 ifindex, u16 state, u8 flags, u8 type. */
public record NdMsg(int family, int index, int state, int flags, int type) {
    public static final int SIZE = 12;

    public byte[] encode() {
        return ByteBuffer.allocate(SIZE).order(Netlink.ORDER).put((byte) family).put((byte) 0).putShort((short) 0)
                .putInt(index).putShort((short) state).put((byte) flags).put((byte) type).array();
    }

    public static NdMsg decode(ByteBuffer in, String context) {
        if (in.remaining() < SIZE) {
            throw new NetlinkFormatException(context + ": struct ndmsg needs " + SIZE + " bytes, got " + in.remaining());
        }
        int p = in.position();
        return new NdMsg(Byte.toUnsignedInt(in.get(p)), in.getInt(p + 4), Short.toUnsignedInt(in.getShort(p + 8)),
                Byte.toUnsignedInt(in.get(p + 10)), Byte.toUnsignedInt(in.get(p + 11)));
    }
}
