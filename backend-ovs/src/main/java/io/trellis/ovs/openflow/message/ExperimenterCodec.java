package io.trellis.ovs.openflow.message;

import io.netty.buffer.ByteBuf;
import io.trellis.ovs.openflow.OfCodecException;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.match.MatchCodec;
import io.trellis.ovs.openflow.match.MatchField;
import java.util.List;
import java.util.OptionalInt;

/**
 * OFPT_EXPERIMENTER messages (section 7.5.4): ofp_header, experimenter id, exp_type, body. Decodes
 * the Nicira messages Trellis uses (nicira-ext.h: NXT_SET_PACKET_IN_FORMAT = 16,
 * NXT_PACKET_IN2 = 30, NXT_CT_FLUSH = 32) and, for OpenFlow 1.3, ONF bundles; everything else stays raw.
 */
final class ExperimenterCodec {

    static final int NXT_SET_PACKET_IN_FORMAT = 16;
    static final int NXT_PACKET_IN2 = 30;

    private ExperimenterCodec() {
    }

    static OfMessage decode(int xid, OfVersion version, ByteBuf body) {
        Wire.need(body, 8, "ofp_experimenter_header");
        int experimenter = body.readInt();
        int expType = body.readInt();
        if (experimenter == OfErrorCatalog.NX_VENDOR_ID) {
            if (expType == NXT_PACKET_IN2) {
                return decodePacketIn2(xid, body);
            }
            if (expType == CtFlushCodec.NXT_CT_FLUSH) {
                return CtFlushCodec.decode(xid, body);
            }
            if (expType == NXT_SET_PACKET_IN_FORMAT) {
                Wire.need(body, 4, "nx_set_packet_in_format");
                return new SetPacketInFormat(xid, body.readInt());
            }
        } else if (experimenter == OfErrorCatalog.ONF_VENDOR_ID && version == OfVersion.OF13) {
            if (expType == BundleCodec.ONF_BUNDLE_CONTROL) {
                return BundleCodec.decodeControl(xid, body);
            }
            if (expType == BundleCodec.ONF_BUNDLE_ADD) {
                return BundleCodec.decodeAdd(xid, body);
            }
        }
        return new UnknownExperimenter(xid, experimenter, expType, RawBytes.read(body, body.readableBytes()));
    }

    static void encodeSetPacketInFormat(SetPacketInFormat m, ByteBuf out) {
        out.writeInt(OfErrorCatalog.NX_VENDOR_ID);
        out.writeInt(NXT_SET_PACKET_IN_FORMAT);
        out.writeInt(m.format());
    }

    /** Properties in the order OVS writes them (lib/ofp-packet.c ofputil_put_packet_in*). */
    static void encodePacketIn2(PacketIn2 m, OfVersion version, ByteBuf out) {
        out.writeInt(OfErrorCatalog.NX_VENDOR_ID);
        out.writeInt(NXT_PACKET_IN2);
        Wire.writeProperty(out, PacketIn2.PROP_PACKET, m.packet().toArray());
        if (m.fullLen().isPresent()) {
            Wire.writeProperty(out, PacketIn2.PROP_FULL_LEN, Wire.u32(m.fullLen().getAsInt()));
        }
        if (m.bufferId().isPresent()) {
            Wire.writeProperty(out, PacketIn2.PROP_BUFFER_ID, Wire.u32(m.bufferId().getAsInt()));
        }
        Wire.writeProperty(out, PacketIn2.PROP_TABLE_ID, new byte[] {(byte) m.tableId()});
        if (m.cookie() != PacketIn2.NO_COOKIE) {
            // 64-bit property values are preceded by 4 bytes of padding to align them (OVS ofp-prop.c).
            byte[] cookie = new byte[12];
            for (int i = 0; i < 8; i++) {
                cookie[4 + i] = (byte) (m.cookie() >>> (56 - 8 * i));
            }
            Wire.writeProperty(out, PacketIn2.PROP_COOKIE, cookie);
        }
        Wire.writeProperty(out, PacketIn2.PROP_REASON, new byte[] {(byte) m.reason()});
        int start = out.writerIndex();
        out.writeShort(PacketIn2.PROP_METADATA);
        out.writeShort(0);
        MatchCodec.encodeFields(m.metadata(), out);
        Wire.setLength16(out, start + 2, out.writerIndex() - start, "NXPINT_METADATA");
        Wire.padTo8(out, start);
        if (!m.continuation().isEmpty()) {
            Wire.writeProperty(out, PacketIn2.PROP_CONTINUATION, m.continuation().toArray());
        }
        if (!m.userdata().isEmpty()) {
            Wire.writeProperty(out, PacketIn2.PROP_USERDATA, m.userdata().toArray());
        }
        m.otherProperties().writeTo(out);
    }

    static PacketIn2 decodePacketIn2(int xid, ByteBuf body) {
        RawBytes packet = null;
        OptionalInt fullLen = OptionalInt.empty();
        OptionalInt bufferId = OptionalInt.empty();
        int tableId = 0;
        long cookie = PacketIn2.NO_COOKIE;
        int reason = 0;
        List<MatchField> metadata = List.of();
        RawBytes userdata = RawBytes.EMPTY;
        RawBytes continuation = RawBytes.EMPTY;
        ByteBuf other = body.alloc().buffer(0);
        try {
            while (body.isReadable()) {
                Wire.Property p = Wire.readProperty(body, "NXT_PACKET_IN2");
                ByteBuf v = p.payload();
                switch (p.type()) {
                    case PacketIn2.PROP_PACKET -> packet = RawBytes.read(v, v.readableBytes());
                    case PacketIn2.PROP_FULL_LEN -> fullLen = OptionalInt.of(u32(v, "NXPINT_FULL_LEN"));
                    case PacketIn2.PROP_BUFFER_ID -> bufferId = OptionalInt.of(u32(v, "NXPINT_BUFFER_ID"));
                    case PacketIn2.PROP_TABLE_ID -> tableId = u8(v, "NXPINT_TABLE_ID");
                    case PacketIn2.PROP_COOKIE -> cookie = u64(v, "NXPINT_COOKIE");
                    case PacketIn2.PROP_REASON -> reason = u8(v, "NXPINT_REASON");
                    case PacketIn2.PROP_METADATA -> metadata = MatchCodec.decodeFields(v, v.readableBytes());
                    case PacketIn2.PROP_USERDATA -> userdata = RawBytes.read(v, v.readableBytes());
                    case PacketIn2.PROP_CONTINUATION -> continuation = RawBytes.read(v, v.readableBytes());
                    default -> other.writeBytes(body, p.start(), p.end() - p.start());
                }
            }
            if (packet == null) {
                throw new OfCodecException("NXT_PACKET_IN2: missing NXPINT_PACKET property");
            }
            return new PacketIn2(xid, packet, fullLen, bufferId, tableId, cookie, reason, metadata, userdata,
                    continuation, RawBytes.read(other, other.readableBytes()));
        } finally {
            other.release();
        }
    }

    private static int u8(ByteBuf v, String what) {
        if (v.readableBytes() != 1) {
            throw new OfCodecException(what + ": length " + (v.readableBytes() + 4) + ", expected 5");
        }
        return v.readUnsignedByte();
    }

    private static int u32(ByteBuf v, String what) {
        if (v.readableBytes() != 4) {
            throw new OfCodecException(what + ": length " + (v.readableBytes() + 4) + ", expected 8");
        }
        return v.readInt();
    }

    private static long u64(ByteBuf v, String what) {
        if (v.readableBytes() == 12) {
            v.skipBytes(4);
        } else if (v.readableBytes() != 8) {
            throw new OfCodecException(what + ": length " + (v.readableBytes() + 4) + ", expected 12 or 16");
        }
        return v.readLong();
    }
}
