package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** One part of an OFPMP_GROUP reply. */
public record GroupStatsReply(int xid, int flags, List<GroupStats> entries) implements MultipartReply {
    public GroupStatsReply {
        Check.u16("flags", flags);
        entries = List.copyOf(requireNonNull(entries, "entries"));
    }

    @Override
    public GroupStatsReply withXid(int xid) {
        return new GroupStatsReply(xid, flags, entries);
    }
}
