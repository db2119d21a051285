package io.trellis.ovs.openflow.message;

/**
 * An OpenFlow message. Records are version-neutral: the negotiated {@link
 * io.trellis.ovs.openflow.OfVersion} is chosen when encoding ({@link OfMessageCodec}), and the
 * codec maps each record onto the 1.3 or 1.5 wire layout.
 */
public sealed interface OfMessage
        permits Hello, ErrorMessage, EchoRequest, EchoReply, FeaturesRequest, FeaturesReply,
                GetConfigRequest, GetConfigReply, SetConfig, BarrierRequest, BarrierReply, FlowMod, GroupMod,
                BundleControl, BundleAdd, MultipartRequest, MultipartReply, PacketOut, PacketInMessage,
                SetPacketInFormat, CtFlush, UnknownExperimenter, UnknownMessage {

    /** {@code ofp_header.xid}: replies carry the xid of their request. */
    int xid();

    /** The same message with another transaction id (the client assigns xids). */
    OfMessage withXid(int xid);
}
