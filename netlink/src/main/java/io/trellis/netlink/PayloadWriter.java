package io.trellis.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Builds a netlink message payload: a fixed family header (ifinfomsg, rtmsg, ...) followed by attributes,
 * each padded to 4 bytes, with nesting. nla_len counts header and value but not the padding; a nest's
 * nla_len covers its whole (padded) content.
 */
public final class PayloadWriter {
    private ByteBuffer buf = ByteBuffer.allocate(256).order(Netlink.ORDER);
    private final Deque<Integer> openNests = new ArrayDeque<>();

    /** Raw bytes (a fixed struct), padded to the netlink alignment. */
    public PayloadWriter putStruct(byte[] bytes) {
        ensure(Netlink.align(bytes.length));
        buf.put(bytes);
        pad();
        return this;
    }

    public PayloadWriter putBytes(AttrType type, byte[] value) {
        return put(type.id(), value);
    }

    /** A NUL-terminated string, as the kernel expects for names (NLA_NUL_STRING / IFNAMSIZ checks). */
    public PayloadWriter putString(AttrType type, String value) {
        byte[] s = value.getBytes(StandardCharsets.UTF_8);
        byte[] v = new byte[s.length + 1];
        System.arraycopy(s, 0, v, 0, s.length);
        return put(type.id(), v);
    }

    public PayloadWriter putU8(AttrType type, int value) {
        return put(type.id(), new byte[] {(byte) value});
    }

    public PayloadWriter putU16(AttrType type, int value) {
        return put(type.id(), ByteBuffer.allocate(2).order(Netlink.ORDER).putShort((short) value).array());
    }

    /** A 16-bit value in network byte order (e.g. a UDP port). */
    public PayloadWriter putBe16(AttrType type, int value) {
        return put(type.id(), ByteBuffer.allocate(2).order(ByteOrder.BIG_ENDIAN).putShort((short) value).array());
    }

    public PayloadWriter putU32(AttrType type, int value) {
        return put(type.id(), ByteBuffer.allocate(4).order(Netlink.ORDER).putInt(value).array());
    }

    /** Starts a nested attribute; close it with {@link #endNested()}. */
    public PayloadWriter beginNested(AttrType type) {
        ensure(Netlink.NLA_HDRLEN);
        openNests.push(buf.position());
        buf.putShort((short) 0).putShort((short) type.id());
        return this;
    }

    public PayloadWriter endNested() {
        if (openNests.isEmpty()) {
            throw new IllegalStateException("endNested() without beginNested()");
        }
        int start = openNests.pop();
        int length = buf.position() - start;
        if (length > 0xffff) {
            throw new IllegalStateException("nested attribute at offset " + start + " too long: " + length);
        }
        buf.putShort(start, (short) length);
        return this;
    }

    public byte[] toBytes() {
        if (!openNests.isEmpty()) {
            throw new IllegalStateException(openNests.size() + " nested attribute(s) not closed");
        }
        byte[] out = new byte[buf.position()];
        buf.get(0, out);
        return out;
    }

    private PayloadWriter put(int type, byte[] value) {
        int length = Netlink.NLA_HDRLEN + value.length;
        if (length > 0xffff) {
            throw new IllegalArgumentException("attribute type " + type + " too long: " + value.length + " bytes");
        }
        ensure(Netlink.align(length));
        buf.putShort((short) length).putShort((short) type).put(value);
        pad();
        return this;
    }

    private void pad() {
        while (buf.position() % Netlink.NLMSG_ALIGNTO != 0) {
            buf.put((byte) 0);
        }
    }

    private void ensure(int extra) {
        if (buf.remaining() < extra + Netlink.NLMSG_ALIGNTO) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + extra + 64))
                    .order(Netlink.ORDER);
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }
}
