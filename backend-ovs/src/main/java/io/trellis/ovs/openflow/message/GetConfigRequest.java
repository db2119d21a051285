package io.trellis.ovs.openflow.message;

/** OFPT_GET_CONFIG_REQUEST: header only (section 7.3.2). */
public record GetConfigRequest(int xid) implements OfMessage {
    @Override
    public GetConfigRequest withXid(int xid) {
        return new GetConfigRequest(xid);
    }
}
