package io.trellis.ovs.openflow.message;

/** OFPT_MULTIPART_REQUEST (section 7.3.5): ofp_multipart_request header + a typed body. */
public sealed interface MultipartRequest extends OfMessage
        permits FlowStatsRequest, GroupStatsRequest, GroupDescRequest, UnknownMultipartRequest {

    /** OFPMPF_REQ_MORE. */
    int REQ_MORE = 1;

    /** OFPMPF_REQ_* flags. */
    int flags();
}
