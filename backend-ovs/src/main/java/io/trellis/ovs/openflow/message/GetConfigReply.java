package io.trellis.ovs.openflow.message;

/**
 * OFPT_GET_CONFIG_REPLY, struct ofp_switch_config (section 7.3.2).
 *
 * @param flags OFPC_FRAG_* bits
 * @param missSendLen bytes of a packet sent to the controller (0xffff: whole packet, OFPCML_NO_BUFFER)
 */
public record GetConfigReply(int xid, int flags, int missSendLen) implements OfMessage {
    public GetConfigReply {
        Check.u16("flags", flags);
        Check.u16("missSendLen", missSendLen);
    }

    @Override
    public GetConfigReply withXid(int xid) {
        return new GetConfigReply(xid, flags, missSendLen);
    }
}
