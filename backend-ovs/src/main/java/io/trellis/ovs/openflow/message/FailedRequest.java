package io.trellis.ovs.openflow.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Describes the request echoed in an OFPT_ERROR's data from its first bytes (the switch may
 * truncate it, so only fixed-position fields are read): message type, xid and, for the
 * messages Trellis sends most, the fields that identify which one failed.
 */
final class FailedRequest {

    private static final String[] FLOW_COMMANDS = {"add", "modify", "modify_strict", "delete", "delete_strict"};
    private static final String[] GROUP_COMMANDS = {"add", "modify", "delete", "insert_bucket", "4", "remove_bucket"};
    private static final String[] GROUP_TYPES = {"all", "select", "indirect", "ff"};
    private static final String[] BUNDLE_TYPES = {"open", "open_reply", "close", "close_reply", "commit",
        "commit_reply", "discard", "discard_reply"};

    private FailedRequest() {
    }

    static String describe(RawBytes data) {
        ByteBuf buf = Unpooled.wrappedBuffer(data.toArray());
        return describe(buf, 0);
    }

    private static String describe(ByteBuf buf, int depth) {
        if (buf.readableBytes() < 8) {
            return "an unparseable request (" + buf.readableBytes() + " bytes)";
        }
        int start = buf.readerIndex();
        int version = buf.getUnsignedByte(start);
        int type = buf.getUnsignedByte(start + 1);
        int xid = buf.getInt(start + 4);
        StringBuilder sb = new StringBuilder(OfType.name(type)).append(" xid=0x").append(Integer.toHexString(xid))
                .append(" (").append(versionName(version)).append(')');
        int body = start + 8;
        int avail = buf.writerIndex() - body;
        switch (type) {
            case OfType.FLOW_MOD -> {
                if (avail >= 40) {
                    long cookie = buf.getLong(body);
                    int table = buf.getUnsignedByte(body + 16);
                    int command = buf.getUnsignedByte(body + 17);
                    int priority = buf.getUnsignedShort(body + 22);
                    sb.append(": ").append(command < FLOW_COMMANDS.length ? FLOW_COMMANDS[command] : "command " + command)
                            .append(" table=").append(table).append(" priority=").append(priority)
                            .append(" cookie=0x").append(Long.toHexString(cookie));
                }
            }
            case OfType.GROUP_MOD -> {
                if (avail >= 8) {
                    int command = buf.getUnsignedShort(body);
                    int groupType = buf.getUnsignedByte(body + 2);
                    long groupId = buf.getUnsignedInt(body + 4);
                    sb.append(": ").append(command < GROUP_COMMANDS.length ? GROUP_COMMANDS[command] : "command " + command)
                            .append(" group_id=").append(groupId).append(" type=")
                            .append(groupType < GROUP_TYPES.length ? GROUP_TYPES[groupType] : String.valueOf(groupType));
                }
            }
            case OfType.BUNDLE_CONTROL -> {
                if (avail >= 8) {
                    int ctl = buf.getUnsignedShort(body + 4);
                    sb.append(": ").append(ctl < BUNDLE_TYPES.length ? BUNDLE_TYPES[ctl] : "type " + ctl)
                            .append(" bundle_id=").append(buf.getUnsignedInt(body));
                }
            }
            case OfType.BUNDLE_ADD_MESSAGE -> {
                if (avail >= 8) {
                    sb.append(": bundle_id=").append(buf.getUnsignedInt(body));
                    if (avail >= 16 && depth == 0) {
                        sb.append(" containing ").append(describe(buf.slice(body + 8, avail - 8), depth + 1));
                    }
                }
            }
            case OfType.MULTIPART_REQUEST -> {
                if (avail >= 2) {
                    sb.append(": multipart type ").append(buf.getUnsignedShort(body));
                }
            }
            case OfType.EXPERIMENTER -> {
                if (avail >= 8) {
                    sb.append(": experimenter=0x").append(Integer.toHexString(buf.getInt(body)))
                            .append(" subtype=").append(buf.getUnsignedInt(body + 4));
                }
            }
            default -> {
            }
        }
        return sb.toString();
    }

    private static String versionName(int version) {
        return switch (version) {
            case 0x01 -> "OF1.0";
            case 0x04 -> "OF1.3";
            case 0x05 -> "OF1.4";
            case 0x06 -> "OF1.5";
            default -> "version 0x" + Integer.toHexString(version);
        };
    }
}
