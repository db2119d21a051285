package io.trellis.ovs.openflow.message;

/** OFPT_FEATURES_REQUEST: header only (section 7.3.1). */
public record FeaturesRequest(int xid) implements OfMessage {
    @Override
    public FeaturesRequest withXid(int xid) {
        return new FeaturesRequest(xid);
    }
}
