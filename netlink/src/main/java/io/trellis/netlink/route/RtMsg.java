package io.trellis.netlink.route;

import io.trellis.netlink.Netlink;
import io.trellis.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * struct rtmsg (linux/rtnetlink.h), 12 bytes: u8 family, dst_len, src_len, tos, table, protocol, scope,
 * type; u32 flags.
 */
public record RtMsg(int family, int dstLength, int srcLength, int tos, int table, int protocol, int scope, int type,
        int flags) {
    public static final int SIZE = 12;

    public byte[] encode() {
        return ByteBuffer.allocate(SIZE).order(Netlink.ORDER).put((byte) family).put((byte) dstLength)
                .put((byte) srcLength).put((byte) tos).put((byte) table).put((byte) protocol).put((byte) scope)
                .put((byte) type).putInt(flags).array();
    }

    public static RtMsg decode(ByteBuffer in, String context) {
        if (in.remaining() < SIZE) {
            throw new NetlinkFormatException(context + ": struct rtmsg needs " + SIZE + " bytes, got " + in.remaining());
        }
        int p = in.position();
        return new RtMsg(u8(in, p), u8(in, p + 1), u8(in, p + 2), u8(in, p + 3), u8(in, p + 4), u8(in, p + 5),
                u8(in, p + 6), u8(in, p + 7), in.getInt(p + 8));
    }

    private static int u8(ByteBuffer in, int at) {
        return Byte.toUnsignedInt(in.get(at));
    }
}
