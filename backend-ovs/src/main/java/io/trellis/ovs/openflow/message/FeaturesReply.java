package io.trellis.ovs.openflow.message;

/**
 * OFPT_FEATURES_REPLY, struct ofp_switch_features (section 7.3.1): 1.3 and 1.5 share the layout.
 *
 * @param capabilities OFPC_* bits
 */
public record FeaturesReply(int xid, long datapathId, long nBuffers, int nTables, int auxiliaryId,
        long capabilities, long reserved) implements OfMessage {

    public FeaturesReply {
        Check.u32("nBuffers", nBuffers);
        Check.u8("nTables", nTables);
        Check.u8("auxiliaryId", auxiliaryId);
        Check.u32("capabilities", capabilities);
        Check.u32("reserved", reserved);
    }

    @Override
    public FeaturesReply withXid(int xid) {
        return new FeaturesReply(xid, datapathId, nBuffers, nTables, auxiliaryId, capabilities, reserved);
    }

    @Override
    public String toString() {
        return "FeaturesReply[xid=" + xid + ", dpid=" + String.format("%016x", datapathId) + ", n_buffers="
                + nBuffers + ", n_tables=" + nTables + ", auxiliary_id=" + auxiliaryId + ", capabilities=0x"
                + Long.toHexString(capabilities) + "]";
    }
}
