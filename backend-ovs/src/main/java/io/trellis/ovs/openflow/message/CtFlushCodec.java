package io.trellis.ovs.openflow.message;

import io.netty.buffer.ByteBuf;
import io.trellis.ovs.openflow.OfCodecException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The body of NXT_CT_FLUSH (nicira-ext.h): {@code struct nx_ct_flush} (ip_proto, 7 bytes pad)
 * followed by properties (OpenFlow 1.5.1 section 7.2.5 layout, padded to 8):
 * NXT_CT_ORIG_TUPLE = 0 and NXT_CT_REPLY_TUPLE = 1, each nesting (after 4 bytes of padding that
 * align the nested list) NXT_CT_TUPLE_SRC = 0 / DST = 1 (16-byte IPv6 or IPv4-mapped address),
 * SRC_PORT = 2 / DST_PORT = 3 (be16); NXT_CT_ZONE_ID = 2 (be16). Unknown outer properties are
 * kept; unknown nested ones (ICMP id/type/code) keep their whole tuple property raw.
 */
final class CtFlushCodec {

    static final int NXT_CT_FLUSH = 32;

    private static final int ORIG_TUPLE = 0;
    private static final int REPLY_TUPLE = 1;
    private static final int ZONE_ID = 2;
    private static final int TUPLE_SRC = 0;
    private static final int TUPLE_DST = 1;
    private static final int TUPLE_SRC_PORT = 2;
    private static final int TUPLE_DST_PORT = 3;

    private CtFlushCodec() {
    }

    static void encode(CtFlush m, ByteBuf out) {
        out.writeInt(OfErrorCatalog.NX_VENDOR_ID);
        out.writeInt(NXT_CT_FLUSH);
        out.writeByte(m.ipProto());
        out.writeZero(7);
        writeTuple(out, ORIG_TUPLE, m.original());
        writeTuple(out, REPLY_TUPLE, m.reply());
        if (m.zone().isPresent()) {
            Wire.writeProperty(out, ZONE_ID, new byte[] {(byte) (m.zone().getAsInt() >>> 8), (byte) m.zone().getAsInt()});
        }
        m.otherProperties().writeTo(out);
    }

    private static void writeTuple(ByteBuf out, int type, CtTuple tuple) {
        if (tuple.isAny()) {
            return; // OVS writes no property for an empty tuple either
        }
        int start = out.writerIndex();
        out.writeShort(type);
        out.writeShort(0);
        out.writeZero(4); // aligns the nested properties to 8 (ofpprop_start_nested)
        tuple.src().ifPresent(a -> Wire.writeProperty(out, TUPLE_SRC, sixteenBytes(a)));
        tuple.dst().ifPresent(a -> Wire.writeProperty(out, TUPLE_DST, sixteenBytes(a)));
        tuple.srcPort().ifPresent(p -> Wire.writeProperty(out, TUPLE_SRC_PORT, be16(p)));
        tuple.dstPort().ifPresent(p -> Wire.writeProperty(out, TUPLE_DST_PORT, be16(p)));
        Wire.setLength16(out, start + 2, out.writerIndex() - start, "NXT_CT_FLUSH tuple");
    }

    /** Decodes the body after experimenter id and subtype. */
    static CtFlush decode(int xid, ByteBuf body) {
        Wire.need(body, 8, "nx_ct_flush");
        int ipProto = body.readUnsignedByte();
        for (int i = 0; i < 7; i++) {
            int pad = body.readUnsignedByte();
            if (pad != 0) {
                throw new OfCodecException("nx_ct_flush pad byte " + i + ": 0x" + Integer.toHexString(pad)
                        + ", must be zero");
            }
        }
        CtTuple original = CtTuple.ANY;
        CtTuple reply = CtTuple.ANY;
        OptionalInt zone = OptionalInt.empty();
        ByteBuf other = body.alloc().buffer(0);
        try {
            while (body.isReadable()) {
                Wire.Property p = Wire.readProperty(body, "NXT_CT_FLUSH");
                Optional<CtTuple> tuple = switch (p.type()) {
                    case ORIG_TUPLE, REPLY_TUPLE -> readTuple(p.payload());
                    default -> Optional.empty();
                };
                if (p.type() == ZONE_ID) {
                    zone = OptionalInt.of(be16(p.payload(), "NXT_CT_ZONE_ID"));
                } else if (p.type() == ORIG_TUPLE && tuple.isPresent()) {
                    original = tuple.get();
                } else if (p.type() == REPLY_TUPLE && tuple.isPresent()) {
                    reply = tuple.get();
                } else {
                    other.writeBytes(body, p.start(), p.end() - p.start());
                }
            }
            return new CtFlush(xid, ipProto, zone, original, reply, RawBytes.read(other, other.readableBytes()));
        } finally {
            other.release();
        }
    }

    /** Empty when the tuple holds a property this model does not know (the caller keeps it raw). */
    private static Optional<CtTuple> readTuple(ByteBuf payload) {
        Wire.need(payload, 4, "NXT_CT_FLUSH tuple padding");
        payload.skipBytes(4);
        Optional<InetAddress> src = Optional.empty();
        Optional<InetAddress> dst = Optional.empty();
        OptionalInt srcPort = OptionalInt.empty();
        OptionalInt dstPort = OptionalInt.empty();
        while (payload.isReadable()) {
            Wire.Property p = Wire.readProperty(payload, "NXT_CT_FLUSH tuple");
            switch (p.type()) {
                case TUPLE_SRC -> src = address(p.payload(), "NXT_CT_TUPLE_SRC");
                case TUPLE_DST -> dst = address(p.payload(), "NXT_CT_TUPLE_DST");
                case TUPLE_SRC_PORT -> srcPort = port(be16(p.payload(), "NXT_CT_TUPLE_SRC_PORT"));
                case TUPLE_DST_PORT -> dstPort = port(be16(p.payload(), "NXT_CT_TUPLE_DST_PORT"));
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(new CtTuple(src, dst, srcPort, dstPort));
    }

    private static OptionalInt port(int value) {
        return value == 0 ? OptionalInt.empty() : OptionalInt.of(value);
    }

    private static Optional<InetAddress> address(ByteBuf v, String what) {
        if (v.readableBytes() != 16) {
            throw new OfCodecException(what + ": length " + (v.readableBytes() + 4) + ", expected 20");
        }
        byte[] b = new byte[16];
        v.readBytes(b);
        boolean zero = true;
        for (byte x : b) {
            zero &= x == 0;
        }
        if (zero) {
            return Optional.empty();
        }
        try {
            // InetAddress turns an IPv4-mapped IPv6 address into the Inet4Address itself.
            return Optional.of(InetAddress.getByAddress(b));
        } catch (UnknownHostException e) {
            throw new OfCodecException(what + ": " + e.getMessage());
        }
    }

    private static int be16(ByteBuf v, String what) {
        if (v.readableBytes() != 2) {
            throw new OfCodecException(what + ": length " + (v.readableBytes() + 4) + ", expected 6");
        }
        return v.readUnsignedShort();
    }

    private static byte[] be16(int value) {
        return new byte[] {(byte) (value >>> 8), (byte) value};
    }

    /** IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d), as OVS stores conntrack addresses. */
    private static byte[] sixteenBytes(InetAddress address) {
        byte[] raw = address.getAddress();
        if (address instanceof Inet4Address) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(raw, 0, mapped, 12, 4);
            return mapped;
        }
        return raw;
    }
}
