package io.trellis.ovs.openflow.message;

/** OFPT_BARRIER_REQUEST: header only; the reply means every earlier message was processed (section 7.3.8). */
public record BarrierRequest(int xid) implements OfMessage {
    @Override
    public BarrierRequest withXid(int xid) {
        return new BarrierRequest(xid);
    }
}
