package io.trellis.ovs.openflow.message;

import io.netty.buffer.ByteBuf;
import io.trellis.ovs.openflow.OfCodecException;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.ActionCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * Group-mod (section 7.3.4.3), buckets, group-desc and group-stats bodies. The 1.3 and 1.5
 * layouts differ: 1.5 adds bucket_array_len and command_bucket_id to the group-mod, and its
 * buckets carry bucket_id plus weight / watch properties (struct ofp15_bucket).
 */
final class GroupCodec {

    private static final int PROP_WEIGHT = 0;
    private static final int PROP_WATCH_PORT = 1;
    private static final int PROP_WATCH_GROUP = 2;

    private GroupCodec() {
    }

    static void encodeGroupMod(GroupMod m, OfVersion version, ByteBuf out) {
        out.writeShort(m.command().wire());
        out.writeByte(m.type().wire());
        out.writeZero(1);
        out.writeInt(m.groupId());
        if (version == OfVersion.OF13) {
            if (m.command() == GroupModCommand.INSERT_BUCKET || m.command() == GroupModCommand.REMOVE_BUCKET) {
                throw new OfCodecException("ofp_group_mod.command: " + m.command() + " needs OpenFlow 1.5");
            }
            encodeBuckets13(m.buckets(), out);
            return;
        }
        int lengthAt = out.writerIndex();
        out.writeShort(0);
        out.writeZero(2);
        out.writeInt(m.commandBucketId());
        int bucketsStart = out.writerIndex();
        encodeBuckets15(m.buckets(), m.type(), out);
        Wire.setLength16(out, lengthAt, out.writerIndex() - bucketsStart, "ofp15_group_mod.bucket_array_len");
        m.properties().writeTo(out);
    }

    static GroupMod decodeGroupMod(int xid, OfVersion version, ByteBuf body) {
        Wire.need(body, 8, "ofp_group_mod");
        GroupModCommand command = GroupModCommand.fromWire(body.readUnsignedShort());
        GroupType type = GroupType.fromWire(body.readUnsignedByte());
        body.skipBytes(1);
        int groupId = body.readInt();
        if (version == OfVersion.OF13) {
            return new GroupMod(xid, command, type, groupId, OfConstants.BUCKET_ALL, decodeBuckets13(body, version),
                    RawBytes.EMPTY);
        }
        Wire.need(body, 8, "ofp15_group_mod");
        int bucketArrayLen = body.readUnsignedShort();
        body.skipBytes(2);
        int commandBucketId = body.readInt();
        if (bucketArrayLen > body.readableBytes()) {
            throw new OfCodecException("ofp15_group_mod.bucket_array_len: " + bucketArrayLen + " exceeds the "
                    + body.readableBytes() + " bytes left");
        }
        List<Bucket> buckets = decodeBuckets15(body.readSlice(bucketArrayLen));
        RawBytes properties = RawBytes.read(body, body.readableBytes());
        return new GroupMod(xid, command, type, groupId, commandBucketId, buckets, properties);
    }

    static void encodeBuckets13(List<Bucket> buckets, ByteBuf out) {
        for (Bucket b : buckets) {
            int start = out.writerIndex();
            out.writeShort(0);
            out.writeShort(b.weight());
            out.writeInt(b.watchPort());
            out.writeInt(b.watchGroup());
            out.writeZero(4);
            ActionCodec.encode(b.actions(), out, OfVersion.OF13);
            Wire.setLength16(out, start, out.writerIndex() - start, "ofp_bucket.len");
        }
    }

    static List<Bucket> decodeBuckets13(ByteBuf in, OfVersion version) {
        List<Bucket> buckets = new ArrayList<>();
        while (in.isReadable()) {
            String what = "ofp_bucket #" + buckets.size();
            Wire.need(in, 16, what);
            int len = in.getUnsignedShort(in.readerIndex());
            if (len < 16 || len > in.readableBytes()) {
                throw new OfCodecException(what + ".len: " + len + " (minimum 16, " + in.readableBytes() + " bytes left)");
            }
            ByteBuf b = in.readSlice(len);
            b.skipBytes(2);
            int weight = b.readUnsignedShort();
            int watchPort = b.readInt();
            int watchGroup = b.readInt();
            b.skipBytes(4);
            List<Action> actions = ActionCodec.decode(b, b.readableBytes(), version);
            buckets.add(new Bucket(buckets.size(), weight, watchPort, watchGroup, actions, RawBytes.EMPTY));
        }
        return buckets;
    }

    static void encodeBuckets15(List<Bucket> buckets, GroupType type, ByteBuf out) {
        for (Bucket b : buckets) {
            int start = out.writerIndex();
            out.writeShort(0);
            out.writeShort(0);
            out.writeInt(b.bucketId());
            int actionsStart = out.writerIndex();
            ActionCodec.encode(b.actions(), out, OfVersion.OF15);
            Wire.setLength16(out, start + 2, out.writerIndex() - actionsStart, "ofp15_bucket.action_array_len");
            // Same choice of properties as OVS (ofp-group.c ofputil_put_ofp15_bucket).
            if (type == GroupType.SELECT) {
                // struct ofp15_group_bucket_prop_weight: weight + 2 bytes of padding, length 8.
                Wire.writeProperty(out, PROP_WEIGHT, new byte[] {(byte) (b.weight() >>> 8), (byte) b.weight(), 0, 0});
            }
            if (b.watchPort() != OfConstants.PORT_ANY) {
                Wire.writeProperty(out, PROP_WATCH_PORT, Wire.u32(b.watchPort()));
            }
            if (b.watchGroup() != OfConstants.GROUP_ANY) {
                Wire.writeProperty(out, PROP_WATCH_GROUP, Wire.u32(b.watchGroup()));
            }
            b.otherProperties().writeTo(out);
            Wire.setLength16(out, start, out.writerIndex() - start, "ofp15_bucket.len");
        }
    }

    static List<Bucket> decodeBuckets15(ByteBuf in) {
        List<Bucket> buckets = new ArrayList<>();
        while (in.isReadable()) {
            String what = "ofp15_bucket #" + buckets.size();
            Wire.need(in, 8, what);
            int len = in.getUnsignedShort(in.readerIndex());
            if (len < 8 || len > in.readableBytes()) {
                throw new OfCodecException(what + ".len: " + len + " (minimum 8, " + in.readableBytes() + " bytes left)");
            }
            ByteBuf b = in.readSlice(len);
            b.skipBytes(2);
            int actionsLen = b.readUnsignedShort();
            int bucketId = b.readInt();
            if (actionsLen > b.readableBytes()) {
                throw new OfCodecException(what + ".action_array_len: " + actionsLen + " exceeds the bucket ("
                        + b.readableBytes() + " bytes left)");
            }
            List<Action> actions = ActionCodec.decode(b.readSlice(actionsLen), actionsLen, OfVersion.OF15);
            int weight = 0;
            int watchPort = OfConstants.PORT_ANY;
            int watchGroup = OfConstants.GROUP_ANY;
            ByteBuf other = b.alloc().buffer(0);
            try {
                while (b.isReadable()) {
                    Wire.Property p = Wire.readProperty(b, what);
                    switch (p.type()) {
                        case PROP_WEIGHT -> weight = u16Prop(p, what + " weight");
                        case PROP_WATCH_PORT -> watchPort = u32Prop(p, what + " watch_port");
                        case PROP_WATCH_GROUP -> watchGroup = u32Prop(p, what + " watch_group");
                        default -> other.writeBytes(b, p.start(), p.end() - p.start());
                    }
                }
                buckets.add(new Bucket(bucketId, weight, watchPort, watchGroup, actions,
                        RawBytes.read(other, other.readableBytes())));
            } finally {
                other.release();
            }
        }
        return buckets;
    }

    private static int u16Prop(Wire.Property p, String what) {
        // The spec struct has 2 bytes + 2 of padding (length 8); accept a bare 2-byte value too.
        if (p.payload().readableBytes() != 2 && p.payload().readableBytes() != 4) {
            throw new OfCodecException(what + " property: length " + (p.payload().readableBytes() + 4) + ", expected 6 or 8");
        }
        return p.payload().getUnsignedShort(p.payload().readerIndex());
    }

    private static int u32Prop(Wire.Property p, String what) {
        if (p.payload().readableBytes() != 4) {
            throw new OfCodecException(what + " property: length " + (p.payload().readableBytes() + 4) + ", expected 8");
        }
        return p.payload().getInt(p.payload().readerIndex());
    }

    static void encodeDesc(GroupDesc d, OfVersion version, ByteBuf out) {
        int start = out.writerIndex();
        out.writeShort(0);
        out.writeByte(d.type().wire());
        out.writeZero(1);
        out.writeInt(d.groupId());
        if (version == OfVersion.OF13) {
            encodeBuckets13(d.buckets(), out);
        } else {
            int lengthAt = out.writerIndex();
            out.writeShort(0);
            out.writeZero(6);
            int bucketsStart = out.writerIndex();
            encodeBuckets15(d.buckets(), d.type(), out);
            Wire.setLength16(out, lengthAt, out.writerIndex() - bucketsStart, "ofp15_group_desc.bucket_array_len");
            d.properties().writeTo(out);
        }
        Wire.setLength16(out, start, out.writerIndex() - start, "ofp_group_desc.length");
    }

    static List<GroupDesc> decodeDescs(OfVersion version, ByteBuf body) {
        List<GroupDesc> entries = new ArrayList<>();
        while (body.isReadable()) {
            String what = "ofp_group_desc #" + entries.size();
            Wire.need(body, 8, what);
            int length = body.getUnsignedShort(body.readerIndex());
            if (length < 8 || length > body.readableBytes()) {
                throw new OfCodecException(what + ".length: " + length + " (minimum 8, " + body.readableBytes()
                        + " bytes left)");
            }
            ByteBuf e = body.readSlice(length);
            e.skipBytes(2);
            GroupType type = GroupType.fromWire(e.readUnsignedByte());
            e.skipBytes(1);
            int groupId = e.readInt();
            if (version == OfVersion.OF13) {
                entries.add(new GroupDesc(type, groupId, decodeBuckets13(e, version), RawBytes.EMPTY));
            } else {
                Wire.need(e, 8, what);
                int bucketArrayLen = e.readUnsignedShort();
                e.skipBytes(6);
                if (bucketArrayLen > e.readableBytes()) {
                    throw new OfCodecException(what + ".bucket_array_len: " + bucketArrayLen + " exceeds the "
                            + e.readableBytes() + " bytes left");
                }
                List<Bucket> buckets = decodeBuckets15(e.readSlice(bucketArrayLen));
                entries.add(new GroupDesc(type, groupId, buckets, RawBytes.read(e, e.readableBytes())));
            }
        }
        return entries;
    }

    static void encodeStats(GroupStats s, ByteBuf out) {
        int start = out.writerIndex();
        out.writeShort(0);
        out.writeZero(2);
        out.writeInt(s.groupId());
        out.writeInt((int) s.refCount());
        out.writeZero(4);
        out.writeLong(s.packetCount());
        out.writeLong(s.byteCount());
        out.writeInt((int) s.durationSec());
        out.writeInt((int) s.durationNsec());
        for (GroupStats.BucketCounter c : s.bucketStats()) {
            out.writeLong(c.packetCount());
            out.writeLong(c.byteCount());
        }
        Wire.setLength16(out, start, out.writerIndex() - start, "ofp_group_stats.length");
    }

    static List<GroupStats> decodeStats(ByteBuf body) {
        List<GroupStats> entries = new ArrayList<>();
        while (body.isReadable()) {
            String what = "ofp_group_stats #" + entries.size();
            Wire.need(body, 40, what);
            int length = body.getUnsignedShort(body.readerIndex());
            if (length < 40 || length > body.readableBytes() || (length - 40) % 16 != 0) {
                throw new OfCodecException(what + ".length: " + length + " (40 + 16 per bucket, "
                        + body.readableBytes() + " bytes left)");
            }
            ByteBuf e = body.readSlice(length);
            e.skipBytes(4);
            int groupId = e.readInt();
            long refCount = e.readUnsignedInt();
            e.skipBytes(4);
            long packets = e.readLong();
            long bytes = e.readLong();
            long durationSec = e.readUnsignedInt();
            long durationNsec = e.readUnsignedInt();
            List<GroupStats.BucketCounter> counters = new ArrayList<>();
            while (e.isReadable()) {
                counters.add(new GroupStats.BucketCounter(e.readLong(), e.readLong()));
            }
            entries.add(new GroupStats(groupId, refCount, packets, bytes, durationSec, durationNsec, counters));
        }
        return entries;
    }
}
