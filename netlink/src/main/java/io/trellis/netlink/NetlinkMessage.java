package io.trellis.netlink;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One netlink message: the struct nlmsghdr fields and the payload that follows the header (without the
 * trailing alignment padding).
 */
public record NetlinkMessage(int type, int flags, int seq, int portId, byte[] payload) {
    public NetlinkMessage {
        if (type < 0 || type > 0xffff) {
            throw new IllegalArgumentException("nlmsg_type " + type + " out of range");
        }
        if (flags < 0 || flags > 0xffff) {
            throw new IllegalArgumentException("nlmsg_flags " + flags + " out of range");
        }
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    public int payloadLength() {
        return payload.length;
    }

    /** A read-only view of the payload in netlink byte order, positioned at 0. */
    public ByteBuffer payloadBuffer() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer().order(Netlink.ORDER);
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) == flag;
    }

    /** Encodes header and payload; nlmsg_len counts the payload without the final padding, as the kernel does. */
    public byte[] encode() {
        int length = Netlink.NLMSG_HDRLEN + payload.length;
        ByteBuffer out = ByteBuffer.allocate(Netlink.align(length)).order(Netlink.ORDER);
        out.putInt(length).putShort((short) type).putShort((short) flags).putInt(seq).putInt(portId).put(payload);
        return out.array();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkMessage m && m.type == type && m.flags == flags && m.seq == seq
                && m.portId == portId && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((type * 31 + flags) * 31 + seq) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "NetlinkMessage[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", seq=" + seq + ", portId="
                + portId + ", payload=" + HexFormat.of().formatHex(payload) + "]";
    }
}
