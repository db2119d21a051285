package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** One part of an OFPMP_GROUP_DESC reply. */
public record GroupDescReply(int xid, int flags, List<GroupDesc> entries) implements MultipartReply {
    public GroupDescReply {
        Check.u16("flags", flags);
        entries = List.copyOf(requireNonNull(entries, "entries"));
    }

    @Override
    public GroupDescReply withXid(int xid) {
        return new GroupDescReply(xid, flags, entries);
    }
}
