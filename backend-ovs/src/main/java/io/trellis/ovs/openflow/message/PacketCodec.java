package io.trellis.ovs.openflow.message;

import io.netty.buffer.ByteBuf;
import io.trellis.ovs.openflow.OfCodecException;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.ActionCodec;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.MatchCodec;
import io.trellis.ovs.openflow.match.MatchField;
import io.trellis.ovs.openflow.match.OxmFields;
import java.util.List;

/** Packet-out (section 7.3.7) and standard packet-in (section 7.4.1) bodies. */
final class PacketCodec {

    private PacketCodec() {
    }

    static void encodePacketOut(PacketOut m, OfVersion version, ByteBuf out) {
        out.writeInt(m.bufferId());
        int actionsLenAt;
        if (version == OfVersion.OF13) {
            for (MatchField f : m.match().fields()) {
                if (!f.field().equals(OxmFields.IN_PORT)) {
                    throw new OfCodecException("ofp_packet_out: OpenFlow 1.3 carries only in_port, the match also has "
                            + f.field().name());
                }
            }
            out.writeInt(m.inPort());
            actionsLenAt = out.writerIndex();
            out.writeShort(0);
            out.writeZero(6);
        } else {
            actionsLenAt = out.writerIndex();
            out.writeShort(0);
            out.writeZero(2);
            MatchCodec.encode(m.match(), out);
        }
        int actionsStart = out.writerIndex();
        ActionCodec.encode(m.actions(), out, version);
        Wire.setLength16(out, actionsLenAt, out.writerIndex() - actionsStart, "ofp_packet_out.actions_len");
        m.data().writeTo(out);
    }

    static PacketOut decodePacketOut(int xid, OfVersion version, ByteBuf body) {
        Wire.need(body, version == OfVersion.OF13 ? 16 : 8, "ofp_packet_out");
        int bufferId = body.readInt();
        Match match;
        int actionsLen;
        if (version == OfVersion.OF13) {
            int inPort = body.readInt();
            actionsLen = body.readUnsignedShort();
            body.skipBytes(6);
            match = PacketOut.inPortMatch(inPort);
        } else {
            actionsLen = body.readUnsignedShort();
            body.skipBytes(2);
            match = MatchCodec.decode(body);
        }
        if (actionsLen > body.readableBytes()) {
            throw new OfCodecException("ofp_packet_out.actions_len: " + actionsLen + " exceeds the "
                    + body.readableBytes() + " bytes left");
        }
        List<Action> actions = ActionCodec.decode(body.readSlice(actionsLen), actionsLen, version);
        return new PacketOut(xid, bufferId, match, actions, RawBytes.read(body, body.readableBytes()));
    }

    static void encodePacketIn(PacketIn m, OfVersion version, ByteBuf out) {
        out.writeInt(m.bufferId());
        out.writeShort(m.totalLen());
        out.writeByte(m.reason());
        out.writeByte(m.tableId());
        out.writeLong(m.cookie());
        MatchCodec.encode(m.match(), out);
        out.writeZero(2);
        m.data().writeTo(out);
    }

    static PacketIn decodePacketIn(int xid, OfVersion version, ByteBuf body) {
        Wire.need(body, 16, "ofp_packet_in");
        int bufferId = body.readInt();
        int totalLen = body.readUnsignedShort();
        int reason = body.readUnsignedByte();
        int tableId = body.readUnsignedByte();
        long cookie = body.readLong();
        Match match = MatchCodec.decode(body);
        Wire.need(body, 2, "ofp_packet_in pad before data");
        body.skipBytes(2);
        return new PacketIn(xid, bufferId, totalLen, reason, tableId, cookie, match, RawBytes.read(body, body.readableBytes()));
    }
}
