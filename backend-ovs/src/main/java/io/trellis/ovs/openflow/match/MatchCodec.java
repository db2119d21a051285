package io.trellis.ovs.openflow.match;

import io.netty.buffer.ByteBuf;
import io.trellis.ovs.openflow.OfCodecException;
import java.util.ArrayList;
import java.util.List;

/**
 * Wire form of matches: {@code struct ofp_match} with type OFPMT_OXM (OpenFlow 1.5.1 section
 * 7.2.3) and bare OXM TLV lists (set_field, NXT_PACKET_IN2 metadata).
 *
 * <p>OXM TLV header: class (16 bits), field (7 bits), has-mask (1 bit), length (8 bits, value plus
 * mask bytes). Fields outside the catalogue but in a known class are kept as
 * {@link OxmFields#unknown unknown} fields and re-encode to the same bytes.
 */
public final class MatchCodec {

    /** {@code ofp_match.type} for OXM matches. */
    public static final int OFPMT_OXM = 1;

    private MatchCodec() {
    }

    /** Writes a whole {@code ofp_match}: type, length (excluding padding), TLVs, zero padding to 8 bytes. */
    public static void encode(Match m, ByteBuf out) {
        int start = out.writerIndex();
        out.writeShort(OFPMT_OXM);
        int lengthAt = out.writerIndex();
        out.writeShort(0);
        encodeFields(m.fields(), out);
        int length = out.writerIndex() - start;
        if (length > 0xffff) {
            throw new OfCodecException("ofp_match: length " + length + " exceeds 65535");
        }
        out.setShort(lengthAt, length);
        out.writeZero(padding(length));
    }

    /** Reads a whole {@code ofp_match} including its padding. */
    public static Match decode(ByteBuf in) {
        if (in.readableBytes() < 4) {
            throw new OfCodecException("ofp_match: truncated, " + in.readableBytes() + " bytes, need at least 4");
        }
        int type = in.readUnsignedShort();
        int length = in.readUnsignedShort();
        if (type != OFPMT_OXM) {
            throw new OfCodecException("ofp_match.type: " + type + ", expected 1 (OFPMT_OXM)");
        }
        if (length < 4) {
            throw new OfCodecException("ofp_match.length: " + length + ", must be at least 4");
        }
        int padded = length + padding(length);
        if (in.readableBytes() < padded - 4) {
            throw new OfCodecException("ofp_match.length: " + length + " (padded " + padded
                    + ") but only " + (in.readableBytes() + 4) + " bytes available");
        }
        List<MatchField> fields = decodeFields(in, length - 4);
        in.skipBytes(padding(length));
        return new Match(fields);
    }

    /** Writes bare OXM TLVs, no padding. */
    public static void encodeFields(List<MatchField> fields, ByteBuf out) {
        for (MatchField f : fields) {
            encodeField(f, out);
        }
    }

    /** Writes one OXM TLV. */
    public static void encodeField(MatchField f, ByteBuf out) {
        byte[] mask = f.mask();
        int length = f.field().length() + (mask == null ? 0 : mask.length);
        if (length > 0xff) {
            throw new OfCodecException("OXM " + f.field().describe() + ": length " + length + " exceeds 255");
        }
        out.writeShort(f.field().oxmClass());
        out.writeByte((f.field().field() << 1) | (mask == null ? 0 : 1));
        out.writeByte(length);
        out.writeBytes(f.value());
        if (mask != null) {
            out.writeBytes(mask);
        }
    }

    /** Reads {@code length} bytes of OXM TLVs. */
    public static List<MatchField> decodeFields(ByteBuf in, int length) {
        if (length < 0 || in.readableBytes() < length) {
            throw new OfCodecException("OXM fields: length " + length + " but " + in.readableBytes()
                    + " bytes available");
        }
        List<MatchField> fields = new ArrayList<>();
        int end = in.readerIndex() + length;
        while (in.readerIndex() < end) {
            fields.add(decodeField(in, end - in.readerIndex()));
        }
        return fields;
    }

    /** Reads one OXM TLV, of which at most {@code available} bytes may be consumed. */
    public static MatchField decodeField(ByteBuf in, int available) {
        int offset = in.readerIndex();
        if (available < 4) {
            throw new OfCodecException("OXM TLV at offset " + offset + ": truncated header, " + available
                    + " bytes left, need 4");
        }
        int cls = in.readUnsignedShort();
        int fieldAndMask = in.readUnsignedByte();
        int length = in.readUnsignedByte();
        int fieldNo = fieldAndMask >>> 1;
        boolean hasMask = (fieldAndMask & 1) != 0;
        String where = String.format("OXM field class=0x%04x field=%d", cls, fieldNo);
        if (length > available - 4) {
            throw new OfCodecException(where + ": length " + length + " but only " + (available - 4)
                    + " bytes left");
        }
        if (!isKnownClass(cls)) {
            throw new OfCodecException(where + ": unknown OXM class 0x" + Integer.toHexString(cls)
                    + " (known: 0x0000, 0x0001 Nicira, 0x8000 OpenFlow basic, 0x8001 packet regs, 0xffff experimenter)");
        }
        boolean experimenter = cls == OxmFields.CLASS_EXPERIMENTER;
        int prefix = experimenter ? 4 : 0;
        if (length < prefix) {
            throw new OfCodecException(where + ": length " + length + ", experimenter field needs at least 4");
        }
        int valueLength = hasMask ? prefix + (length - prefix) / 2 : length;
        if (hasMask && (length - prefix) % 2 != 0) {
            throw new OfCodecException(where + ": masked field with odd payload length " + (length - prefix));
        }
        OxmField field = OxmFields.lookup(cls, fieldNo).orElse(null);
        if (field != null) {
            if (field.length() != valueLength) {
                throw new OfCodecException(where + " (" + field.name() + "): length " + length + ", expected "
                        + (hasMask ? 2 * field.length() : field.length()));
            }
            if (hasMask && !field.maskable()) {
                throw new OfCodecException(where + " (" + field.name() + "): has a mask but the field is not maskable");
            }
        } else {
            field = OxmFields.unknown(cls, fieldNo, valueLength, hasMask);
        }
        byte[] value = new byte[valueLength];
        in.readBytes(value);
        byte[] mask = null;
        if (hasMask) {
            mask = new byte[length - valueLength];
            in.readBytes(mask);
        }
        return new MatchField(field, value, mask);
    }

    /**
     * Reads a bare 32-bit field header as Nicira actions carry it (learn, reg_move, reg_load, ct
     * zone source): no value follows, the length is the field's value length, the mask bit is 0.
     *
     * @param where names the structure for error messages, e.g. {@code "NXAST_REG_MOVE.src"}
     */
    public static OxmField readHeader(ByteBuf in, String where) {
        if (in.readableBytes() < 4) {
            throw new OfCodecException(where + ": truncated field header");
        }
        long header = in.readUnsignedInt();
        int cls = (int) (header >>> 16);
        int fieldNo = (int) ((header >>> 9) & 0x7f);
        boolean hasMask = ((header >>> 8) & 1) != 0;
        int length = (int) (header & 0xff);
        String desc = String.format("%s: field header 0x%08x (class=0x%04x field=%d)", where, header, cls, fieldNo);
        if (hasMask) {
            throw new OfCodecException(desc + ": has-mask bit set in a bare header");
        }
        if (!isKnownClass(cls) || cls == OxmFields.CLASS_EXPERIMENTER) {
            throw new OfCodecException(desc + ": unsupported OXM class 0x" + Integer.toHexString(cls));
        }
        OxmField field = OxmFields.lookup(cls, fieldNo).orElse(null);
        if (field == null) {
            return OxmFields.unknown(cls, fieldNo, length, true);
        }
        if (field.length() != length) {
            throw new OfCodecException(desc + " (" + field.name() + "): length " + length + ", expected " + field.length());
        }
        return field;
    }

    /** Writes a bare 32-bit field header (mask bit clear), see {@link #readHeader}. */
    public static void writeHeader(OxmField field, ByteBuf out) {
        if (OxmFields.isExperimenter(field)) {
            throw new OfCodecException("field " + field.describe() + ": experimenter fields cannot be used as a bare header");
        }
        out.writeInt(field.header());
    }

    private static boolean isKnownClass(int cls) {
        return cls == OxmFields.CLASS_NXM_0 || cls == OxmFields.CLASS_NXM_1
                || cls == OxmFields.CLASS_OPENFLOW_BASIC || cls == OxmFields.CLASS_PACKET_REGS
                || cls == OxmFields.CLASS_EXPERIMENTER;
    }

    private static int padding(int length) {
        return (8 - length % 8) % 8;
    }
}
