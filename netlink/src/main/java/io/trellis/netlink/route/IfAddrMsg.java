package io.trellis.netlink.route;

import io.trellis.netlink.Netlink;
import io.trellis.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/** struct ifaddrmsg (linux/if_addr.h), 8 bytes: u8 family, u8 prefixlen, u8 flags, u8 scope, u32 index. */
public record IfAddrMsg(int family, int prefixLength, int flags, int scope, int index) {
    public static final int SIZE = 8;

    public byte[] encode() {
        return ByteBuffer.allocate(SIZE).order(Netlink.ORDER).put((byte) family).put((byte) prefixLength)
                .put((byte) flags).put((byte) scope).putInt(index).array();
    }

    public static IfAddrMsg decode(ByteBuffer in, String context) {
        if (in.remaining() < SIZE) {
            throw new NetlinkFormatException(context + ": struct ifaddrmsg needs " + SIZE + " bytes, got " + in.remaining());
        }
        int p = in.position();
        return new IfAddrMsg(Byte.toUnsignedInt(in.get(p)), Byte.toUnsignedInt(in.get(p + 1)),
                Byte.toUnsignedInt(in.get(p + 2)), Byte.toUnsignedInt(in.get(p + 3)), in.getInt(p + 4));
    }
}
