package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.match.MatchField;
import java.util.List;
import java.util.OptionalInt;

/**
 * Nicira NXT_PACKET_IN2 (nicira-ext.h; OVS lib/ofp-packet.c), a property list: NXPINT_PACKET,
 * FULL_LEN (only when truncated), BUFFER_ID (only when buffered), TABLE_ID, COOKIE (absent means
 * all ones), REASON, METADATA (bare OXM fields), USERDATA (from controller(userdata=...)),
 * CONTINUATION (opaque, for NXT_RESUME). Unknown properties are kept raw.
 */
public record PacketIn2(int xid, RawBytes packet, OptionalInt fullLen, OptionalInt bufferId, int tableId, long cookie,
        int reason, List<MatchField> metadata, RawBytes userdata, RawBytes continuation, RawBytes otherProperties)
        implements PacketInMessage {

    /** NXPINT_* property types. */
    public static final int PROP_PACKET = 0;
    public static final int PROP_FULL_LEN = 1;
    public static final int PROP_BUFFER_ID = 2;
    public static final int PROP_TABLE_ID = 3;
    public static final int PROP_COOKIE = 4;
    public static final int PROP_REASON = 5;
    public static final int PROP_METADATA = 6;
    public static final int PROP_USERDATA = 7;
    public static final int PROP_CONTINUATION = 8;

    /** The cookie value OVS leaves out of the message. */
    public static final long NO_COOKIE = -1L;

    public PacketIn2 {
        requireNonNull(packet, "packet");
        requireNonNull(fullLen, "fullLen");
        requireNonNull(bufferId, "bufferId");
        Check.u8("tableId", tableId);
        Check.u8("reason", reason);
        metadata = List.copyOf(requireNonNull(metadata, "metadata"));
        requireNonNull(userdata, "userdata");
        requireNonNull(continuation, "continuation");
        requireNonNull(otherProperties, "otherProperties");
    }

    @Override
    public List<MatchField> metadataFields() {
        return metadata;
    }

    @Override
    public PacketIn2 withXid(int xid) {
        return new PacketIn2(xid, packet, fullLen, bufferId, tableId, cookie, reason, metadata, userdata, continuation,
                otherProperties);
    }
}
