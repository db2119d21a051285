package io.trellis.ovs.openflow.message;

/**
 * OFPMP_GROUP_DESC request (section 7.3.5.10). 1.3 has no body and always returns all groups;
 * 1.5 selects one group or {@link OfConstants#GROUP_ALL}.
 */
public record GroupDescRequest(int xid, int flags, int groupId) implements MultipartRequest {
    public GroupDescRequest {
        Check.u16("flags", flags);
    }

    public static GroupDescRequest all() {
        return new GroupDescRequest(0, 0, OfConstants.GROUP_ALL);
    }

    @Override
    public GroupDescRequest withXid(int xid) {
        return new GroupDescRequest(xid, flags, groupId);
    }
}
