package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.MatchField;
import java.util.List;

/** OFPT_PACKET_IN, struct ofp_packet_in (section 7.4.1; same layout in 1.3 and 1.5). */
public record PacketIn(int xid, int bufferId, int totalLen, int reason, int tableId, long cookie, Match match,
        RawBytes data) implements PacketInMessage {

    public PacketIn {
        Check.u16("totalLen", totalLen);
        Check.u8("reason", reason);
        Check.u8("tableId", tableId);
        requireNonNull(match, "match");
        requireNonNull(data, "data");
    }

    @Override
    public RawBytes packet() {
        return data;
    }

    @Override
    public List<MatchField> metadataFields() {
        return match.fields();
    }

    @Override
    public PacketIn withXid(int xid) {
        return new PacketIn(xid, bufferId, totalLen, reason, tableId, cookie, match, data);
    }
}
