package io.trellis.ovs.openflow.message;

/** OFPMP_GROUP request (section 7.3.5.9): one group or {@link OfConstants#GROUP_ALL}. */
public record GroupStatsRequest(int xid, int flags, int groupId) implements MultipartRequest {
    public GroupStatsRequest {
        Check.u16("flags", flags);
    }

    public static GroupStatsRequest all() {
        return new GroupStatsRequest(0, 0, OfConstants.GROUP_ALL);
    }

    @Override
    public GroupStatsRequest withXid(int xid) {
        return new GroupStatsRequest(xid, flags, groupId);
    }
}
