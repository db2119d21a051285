package io.trellis.ovs.openflow.message;

import io.netty.buffer.ByteBuf;
import io.trellis.ovs.openflow.OfVersion;

/**
 * Multipart request/reply (section 7.3.5): a type, flags and 4 bytes of padding, then a body of the
 * type; flow, group and group-desc bodies are decoded, the rest kept raw.
 */
final class MultipartCodec {

    private MultipartCodec() {
    }

    static void encodeRequest(MultipartRequest m, OfVersion version, ByteBuf out) {
        if (m instanceof FlowStatsRequest r) {
            header(out, MultipartType.FLOW, r.flags());
            FlowCodec.encodeStatsRequest(r, out);
        } else if (m instanceof GroupStatsRequest r) {
            header(out, MultipartType.GROUP, r.flags());
            out.writeInt(r.groupId());
            out.writeZero(4);
        } else if (m instanceof GroupDescRequest r) {
            header(out, MultipartType.GROUP_DESC, r.flags());
            if (version == OfVersion.OF15) {
                out.writeInt(r.groupId());
                out.writeZero(4);
            }
        } else if (m instanceof UnknownMultipartRequest r) {
            header(out, r.multipartType(), r.flags());
            r.body().writeTo(out);
        }
    }

    static void encodeReply(MultipartReply m, OfVersion version, ByteBuf out) {
        if (m instanceof FlowStatsReply r) {
            header(out, MultipartType.FLOW, r.flags());
            for (FlowStats s : r.entries()) {
                FlowCodec.encodeStats(s, version, out);
            }
        } else if (m instanceof GroupStatsReply r) {
            header(out, MultipartType.GROUP, r.flags());
            for (GroupStats s : r.entries()) {
                GroupCodec.encodeStats(s, out);
            }
        } else if (m instanceof GroupDescReply r) {
            header(out, MultipartType.GROUP_DESC, r.flags());
            for (GroupDesc d : r.entries()) {
                GroupCodec.encodeDesc(d, version, out);
            }
        } else if (m instanceof UnknownMultipartReply r) {
            header(out, r.multipartType(), r.flags());
            r.body().writeTo(out);
        }
    }

    private static void header(ByteBuf out, int type, int flags) {
        out.writeShort(type);
        out.writeShort(flags);
        out.writeZero(4);
    }

    static MultipartRequest decodeRequest(int xid, OfVersion version, ByteBuf body) {
        Wire.need(body, 8, "ofp_multipart_request");
        int type = body.readUnsignedShort();
        int flags = body.readUnsignedShort();
        body.skipBytes(4);
        switch (type) {
            case MultipartType.FLOW:
                return FlowCodec.decodeStatsRequest(xid, flags, body);
            case MultipartType.GROUP:
                Wire.need(body, 8, "ofp_group_stats_request");
                int groupId = body.readInt();
                body.skipBytes(4);
                return new GroupStatsRequest(xid, flags, groupId);
            case MultipartType.GROUP_DESC:
                if (version == OfVersion.OF13) {
                    return new GroupDescRequest(xid, flags, OfConstants.GROUP_ALL);
                }
                Wire.need(body, 8, "ofp_group_desc_request");
                int descGroupId = body.readInt();
                body.skipBytes(4);
                return new GroupDescRequest(xid, flags, descGroupId);
            default:
                return new UnknownMultipartRequest(xid, type, flags, RawBytes.read(body, body.readableBytes()));
        }
    }

    static MultipartReply decodeReply(int xid, OfVersion version, ByteBuf body) {
        Wire.need(body, 8, "ofp_multipart_reply");
        int type = body.readUnsignedShort();
        int flags = body.readUnsignedShort();
        body.skipBytes(4);
        switch (type) {
            case MultipartType.FLOW:
                return new FlowStatsReply(xid, flags, FlowCodec.decodeStats(version, body));
            case MultipartType.GROUP:
                return new GroupStatsReply(xid, flags, GroupCodec.decodeStats(body));
            case MultipartType.GROUP_DESC:
                return new GroupDescReply(xid, flags, GroupCodec.decodeDescs(version, body));
            default:
                return new UnknownMultipartReply(xid, type, flags, RawBytes.read(body, body.readableBytes()));
        }
    }
}
