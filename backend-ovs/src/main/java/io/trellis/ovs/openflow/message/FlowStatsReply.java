package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** One part of an OFPMP_FLOW reply. */
public record FlowStatsReply(int xid, int flags, List<FlowStats> entries) implements MultipartReply {
    public FlowStatsReply {
        Check.u16("flags", flags);
        entries = List.copyOf(requireNonNull(entries, "entries"));
    }

    @Override
    public FlowStatsReply withXid(int xid) {
        return new FlowStatsReply(xid, flags, entries);
    }
}
