package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.match.Match;

/**
 * OFPMP_FLOW request, struct ofp_flow_stats_request (section 7.3.5.2, same in 1.3 and 1.5): flows
 * in {@code tableId} (or all) whose match is a superset of {@code match}, optionally restricted by
 * output port/group and cookie bits.
 */
public record FlowStatsRequest(int xid, int flags, int tableId, int outPort, int outGroup, long cookie,
        long cookieMask, Match match) implements MultipartRequest {

    public FlowStatsRequest {
        Check.u16("flags", flags);
        Check.u8("tableId", tableId);
        requireNonNull(match, "match");
    }

    /** Every flow of every table. */
    public static FlowStatsRequest all() {
        return new FlowStatsRequest(0, 0, OfConstants.TABLE_ALL, OfConstants.PORT_ANY, OfConstants.GROUP_ANY, 0, 0,
                Match.ANY);
    }

    /** Every flow of one table. */
    public static FlowStatsRequest table(int tableId) {
        return new FlowStatsRequest(0, 0, tableId, OfConstants.PORT_ANY, OfConstants.GROUP_ANY, 0, 0, Match.ANY);
    }

    /** Flows (in any table) whose cookie matches {@code cookie} under {@code cookieMask}. */
    public static FlowStatsRequest cookie(long cookie, long cookieMask) {
        return new FlowStatsRequest(0, 0, OfConstants.TABLE_ALL, OfConstants.PORT_ANY, OfConstants.GROUP_ANY, cookie,
                cookieMask, Match.ANY);
    }

    @Override
    public FlowStatsRequest withXid(int xid) {
        return new FlowStatsRequest(xid, flags, tableId, outPort, outGroup, cookie, cookieMask, match);
    }
}
