package io.trellis.ovs.openflow.message;

import io.netty.buffer.ByteBuf;
import io.trellis.ovs.openflow.OfCodecException;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.action.InstructionCodec;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.MatchCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Flow-mod (section 7.3.4.2) and flow statistics bodies (section 7.3.5.2). Flow-mods share their
 * layout (1.3's padding is 1.5's {@code importance}, written as 0 for 1.3); flow-stats replies
 * differ: 1.3 ofp_flow_stats with fixed counters, 1.5 ofp15_flow_desc with OXS stats.
 */
final class FlowCodec {

    /** struct ofp_flow_mod without header and match. */
    private static final int FLOW_MOD_FIXED = 40;
    /** struct ofp_flow_stats_request without match. */
    private static final int FLOW_STATS_REQUEST_FIXED = 32;
    /** struct ofp_flow_stats (1.3) without match. */
    private static final int FLOW_STATS_FIXED = 48;
    /** struct ofp15_flow_desc without match, stats and instructions. */
    private static final int FLOW_DESC_FIXED = 24;

    /** OXS class OFPXSC_OPENFLOW_BASIC and its fields (OpenFlow 1.5.1 section 7.2.4.1). */
    private static final int OXS_CLASS_OPENFLOW_BASIC = 0x8002;
    private static final int OXS_DURATION = 0;
    private static final int OXS_IDLE_TIME = 1;
    private static final int OXS_PACKET_COUNT = 4;
    private static final int OXS_BYTE_COUNT = 5;

    private FlowCodec() {
    }

    static void encodeFlowMod(FlowMod m, OfVersion version, ByteBuf out) {
        out.writeLong(m.cookie());
        out.writeLong(m.cookieMask());
        out.writeByte(m.tableId());
        out.writeByte(m.command().wire());
        out.writeShort(m.idleTimeout());
        out.writeShort(m.hardTimeout());
        out.writeShort(m.priority());
        out.writeInt(m.bufferId());
        out.writeInt(m.outPort());
        out.writeInt(m.outGroup());
        out.writeShort(m.flags());
        out.writeShort(version == OfVersion.OF13 ? 0 : m.importance());
        MatchCodec.encode(m.match(), out);
        InstructionCodec.encode(m.instructions(), out, version);
    }

    static FlowMod decodeFlowMod(int xid, OfVersion version, ByteBuf body) {
        Wire.need(body, FLOW_MOD_FIXED, "ofp_flow_mod");
        long cookie = body.readLong();
        long cookieMask = body.readLong();
        int tableId = body.readUnsignedByte();
        FlowModCommand command = FlowModCommand.fromWire(body.readUnsignedByte());
        int idle = body.readUnsignedShort();
        int hard = body.readUnsignedShort();
        int priority = body.readUnsignedShort();
        int bufferId = body.readInt();
        int outPort = body.readInt();
        int outGroup = body.readInt();
        int flags = body.readUnsignedShort();
        int importance = body.readUnsignedShort();
        if (version == OfVersion.OF13) {
            importance = 0;
        }
        Match match = MatchCodec.decode(body);
        List<Instruction> instructions = InstructionCodec.decode(body, body.readableBytes(), version);
        return new FlowMod(xid, cookie, cookieMask, tableId, command, idle, hard, priority, bufferId, outPort, outGroup,
                flags, importance, match, instructions);
    }

    static void encodeStatsRequest(FlowStatsRequest r, ByteBuf out) {
        out.writeByte(r.tableId());
        out.writeZero(3);
        out.writeInt(r.outPort());
        out.writeInt(r.outGroup());
        out.writeZero(4);
        out.writeLong(r.cookie());
        out.writeLong(r.cookieMask());
        MatchCodec.encode(r.match(), out);
    }

    static FlowStatsRequest decodeStatsRequest(int xid, int flags, ByteBuf body) {
        Wire.need(body, FLOW_STATS_REQUEST_FIXED, "ofp_flow_stats_request");
        int tableId = body.readUnsignedByte();
        body.skipBytes(3);
        int outPort = body.readInt();
        int outGroup = body.readInt();
        body.skipBytes(4);
        long cookie = body.readLong();
        long cookieMask = body.readLong();
        Match match = MatchCodec.decode(body);
        return new FlowStatsRequest(xid, flags, tableId, outPort, outGroup, cookie, cookieMask, match);
    }

    static void encodeStats(FlowStats s, OfVersion version, ByteBuf out) {
        int start = out.writerIndex();
        if (version == OfVersion.OF13) {
            out.writeShort(0);
            out.writeByte(s.tableId());
            out.writeZero(1);
            out.writeInt((int) s.durationSec());
            out.writeInt((int) s.durationNsec());
            out.writeShort(s.priority());
            out.writeShort(s.idleTimeout());
            out.writeShort(s.hardTimeout());
            out.writeShort(s.flags());
            out.writeZero(4);
            out.writeLong(s.cookie());
            out.writeLong(s.packetCount());
            out.writeLong(s.byteCount());
            MatchCodec.encode(s.match(), out);
        } else {
            out.writeShort(0);
            out.writeZero(2);
            out.writeByte(s.tableId());
            out.writeZero(1);
            out.writeShort(s.priority());
            out.writeShort(s.idleTimeout());
            out.writeShort(s.hardTimeout());
            out.writeShort(s.flags());
            out.writeShort(s.importance());
            out.writeLong(s.cookie());
            MatchCodec.encode(s.match(), out);
            encodeOxsStats(s, out);
        }
        InstructionCodec.encode(s.instructions(), out, version);
        Wire.setLength16(out, start, out.writerIndex() - start, "flow stats entry");
    }

    /** struct ofp_stats (section 7.2.4): reserved, length, OXS TLVs, padding to 8. */
    private static void encodeOxsStats(FlowStats s, ByteBuf out) {
        int start = out.writerIndex();
        out.writeShort(0);
        out.writeShort(0);
        oxs(out, OXS_DURATION, 8).writeInt((int) s.durationSec()).writeInt((int) s.durationNsec());
        if (s.idleTime().isPresent()) {
            oxs(out, OXS_IDLE_TIME, 8).writeLong(s.idleTime().getAsLong());
        }
        oxs(out, OXS_PACKET_COUNT, 8).writeLong(s.packetCount());
        oxs(out, OXS_BYTE_COUNT, 8).writeLong(s.byteCount());
        s.otherStats().writeTo(out);
        Wire.setLength16(out, start + 2, out.writerIndex() - start, "ofp_stats.length");
        Wire.padTo8(out, start);
    }

    private static ByteBuf oxs(ByteBuf out, int field, int length) {
        return out.writeShort(OXS_CLASS_OPENFLOW_BASIC).writeByte(field << 1).writeByte(length);
    }

    static List<FlowStats> decodeStats(OfVersion version, ByteBuf body) {
        int fixed = version == OfVersion.OF13 ? FLOW_STATS_FIXED : FLOW_DESC_FIXED;
        String struct = version == OfVersion.OF13 ? "ofp_flow_stats" : "ofp_flow_desc";
        List<FlowStats> entries = new ArrayList<>();
        while (body.isReadable()) {
            String what = struct + " #" + entries.size();
            Wire.need(body, fixed, what);
            int length = body.getUnsignedShort(body.readerIndex());
            if (length < fixed + 8 || length > body.readableBytes()) {
                throw new OfCodecException(what + ".length: " + length + " (minimum " + (fixed + 8) + ", "
                        + body.readableBytes() + " bytes left)");
            }
            ByteBuf entry = body.readSlice(length);
            entries.add(version == OfVersion.OF13 ? decodeStats13(entry) : decodeDesc15(entry, what));
        }
        return entries;
    }

    private static FlowStats decodeStats13(ByteBuf entry) {
        entry.skipBytes(2);
        int tableId = entry.readUnsignedByte();
        entry.skipBytes(1);
        long durationSec = entry.readUnsignedInt();
        long durationNsec = entry.readUnsignedInt();
        int priority = entry.readUnsignedShort();
        int idle = entry.readUnsignedShort();
        int hard = entry.readUnsignedShort();
        int flags = entry.readUnsignedShort();
        entry.skipBytes(4);
        long cookie = entry.readLong();
        long packets = entry.readLong();
        long bytes = entry.readLong();
        Match match = MatchCodec.decode(entry);
        List<Instruction> instructions = InstructionCodec.decode(entry, entry.readableBytes(), OfVersion.OF13);
        return FlowStats.of(tableId, durationSec, durationNsec, priority, idle, hard, flags, 0, cookie, packets, bytes,
                match, instructions);
    }

    private static FlowStats decodeDesc15(ByteBuf entry, String what) {
        entry.skipBytes(4);
        int tableId = entry.readUnsignedByte();
        entry.skipBytes(1);
        int priority = entry.readUnsignedShort();
        int idle = entry.readUnsignedShort();
        int hard = entry.readUnsignedShort();
        int flags = entry.readUnsignedShort();
        int importance = entry.readUnsignedShort();
        long cookie = entry.readLong();
        Match match = MatchCodec.decode(entry);

        Wire.need(entry, 4, what + " ofp_stats");
        int statsStart = entry.readerIndex();
        entry.skipBytes(2);
        int statsLength = entry.readUnsignedShort();
        int padded = Wire.roundUp8(statsLength);
        if (statsLength < 4 || padded > entry.writerIndex() - statsStart) {
            throw new OfCodecException(what + " ofp_stats.length: " + statsLength + " does not fit the "
                    + (entry.writerIndex() - statsStart) + " bytes left");
        }
        ByteBuf stats = entry.readSlice(statsLength - 4);
        entry.skipBytes(padded - statsLength);
        long durationSec = 0;
        long durationNsec = 0;
        long packets = 0;
        long bytes = 0;
        OptionalLong idleTime = OptionalLong.empty();
        ByteBuf other = stats.alloc().buffer(0);
        try {
            while (stats.isReadable()) {
                Wire.need(stats, 4, what + " OXS header");
                int tlvStart = stats.readerIndex();
                int cls = stats.readUnsignedShort();
                int field = stats.readUnsignedByte() >>> 1;
                int len = stats.readUnsignedByte();
                Wire.need(stats, len, what + String.format(" OXS class=0x%04x field=%d", cls, field));
                boolean basic = cls == OXS_CLASS_OPENFLOW_BASIC;
                if (basic && (field == OXS_DURATION || field == OXS_IDLE_TIME || field == OXS_PACKET_COUNT
                        || field == OXS_BYTE_COUNT)) {
                    if (len != 8) {
                        throw new OfCodecException(what + " OXS field " + field + ": length " + len + ", expected 8");
                    }
                    switch (field) {
                        case OXS_DURATION -> {
                            durationSec = stats.readUnsignedInt();
                            durationNsec = stats.readUnsignedInt();
                        }
                        case OXS_IDLE_TIME -> idleTime = OptionalLong.of(stats.readLong());
                        case OXS_PACKET_COUNT -> packets = stats.readLong();
                        default -> bytes = stats.readLong();
                    }
                } else {
                    stats.skipBytes(len);
                    other.writeBytes(stats, tlvStart, 4 + len);
                }
            }
            List<Instruction> instructions = InstructionCodec.decode(entry, entry.readableBytes(), OfVersion.OF15);
            return new FlowStats(tableId, durationSec, durationNsec, priority, idle, hard, flags, importance, cookie,
                    packets, bytes, idleTime, match, instructions, RawBytes.read(other, other.readableBytes()));
        } finally {
            other.release();
        }
    }
}
