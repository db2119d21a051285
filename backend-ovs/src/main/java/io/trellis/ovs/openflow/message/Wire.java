package io.trellis.ovs.openflow.message;

import io.netty.buffer.ByteBuf;
import io.trellis.ovs.openflow.OfCodecException;

/** Small helpers shared by the message codecs: bounds checks, 8-byte padding, TLV properties. */
final class Wire {

    private Wire() {
    }

    /** Fails with the structure name when fewer than {@code n} bytes remain. */
    static void need(ByteBuf in, int n, String what) {
        if (in.readableBytes() < n) {
            throw new OfCodecException(what + ": needs " + n + " bytes, only " + in.readableBytes() + " left");
        }
    }

    static int padding8(int length) {
        return (8 - (length & 7)) & 7;
    }

    static int roundUp8(int length) {
        return length + padding8(length);
    }

    /** Pads what was written since {@code start} to a multiple of 8 bytes. */
    static void padTo8(ByteBuf out, int start) {
        out.writeZero(padding8(out.writerIndex() - start));
    }

    /** Writes a 16-bit length field at {@code at}, failing if the value does not fit. */
    static void setLength16(ByteBuf out, int at, int length, String what) {
        if (length > 0xffff) {
            throw new OfCodecException(what + ": length " + length + " exceeds 65535");
        }
        out.setShort(at, length);
    }

    /**
     * Writes an OpenFlow property (struct ofp_prop_header, section 7.2.5): type, length = 4 +
     * payload (without padding), payload, zero padding to 8.
     */
    static void writeProperty(ByteBuf out, int type, byte[] payload) {
        int length = 4 + payload.length;
        out.writeShort(type);
        out.writeShort(length);
        out.writeBytes(payload);
        out.writeZero(padding8(length));
    }

    /** One property read from a list: its type, its payload (without header and padding). */
    record Property(int type, ByteBuf payload, int start, int end) {
    }

    /** Reads one property, checking its length and that its padding is present (as OVS requires). */
    static Property readProperty(ByteBuf in, String what) {
        int start = in.readerIndex();
        need(in, 4, what + " property header");
        int type = in.readUnsignedShort();
        int length = in.readUnsignedShort();
        if (length < 4) {
            throw new OfCodecException(what + " property type " + type + ": length " + length + ", expected >= 4");
        }
        int padded = roundUp8(length);
        if (padded - 4 > in.readableBytes()) {
            throw new OfCodecException(what + " property type " + type + ": length " + length
                    + " (padded " + padded + ") exceeds the " + (in.readableBytes() + 4) + " bytes left");
        }
        ByteBuf payload = in.readSlice(length - 4);
        in.skipBytes(padded - length);
        return new Property(type, payload, start, in.readerIndex());
    }

    /** The bytes between {@code start} and {@code end} of {@code buf}, copied. */
    static RawBytes copy(ByteBuf buf, int start, int end) {
        byte[] b = new byte[end - start];
        buf.getBytes(start, b);
        return RawBytes.of(b);
    }

    static byte[] u32(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }
}
