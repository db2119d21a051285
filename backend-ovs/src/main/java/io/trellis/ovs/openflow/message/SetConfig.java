package io.trellis.ovs.openflow.message;

/**
 * OFPT_SET_CONFIG, struct ofp_switch_config (section 7.3.2).
 *
 * @param flags OFPC_FRAG_* bits
 * @param missSendLen bytes of a packet sent to the controller (0xffff: whole packet, OFPCML_NO_BUFFER)
 */
public record SetConfig(int xid, int flags, int missSendLen) implements OfMessage {
    public SetConfig {
        Check.u16("flags", flags);
        Check.u16("missSendLen", missSendLen);
    }

    @Override
    public SetConfig withXid(int xid) {
        return new SetConfig(xid, flags, missSendLen);
    }
}
