package io.trellis.ovs.openflow.message;

import java.util.List;

/**
 * OFPT_MULTIPART_REPLY (section 7.3.5). A long reply is split over several messages with the same
 * xid; all but the last have OFPMPF_REPLY_MORE set.
 */
public sealed interface MultipartReply extends OfMessage
        permits FlowStatsReply, GroupStatsReply, GroupDescReply, UnknownMultipartReply {

    /** OFPMPF_REPLY_MORE. */
    int REPLY_MORE = 1;

    int flags();

    /** The entries this part carries. */
    List<?> entries();

    default boolean more() {
        return (flags() & REPLY_MORE) != 0;
    }
}
