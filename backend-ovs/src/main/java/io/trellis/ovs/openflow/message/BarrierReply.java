package io.trellis.ovs.openflow.message;

/** OFPT_BARRIER_REPLY, carrying the xid of its request (section 7.3.8). */
public record BarrierReply(int xid) implements OfMessage {
    @Override
    public BarrierReply withXid(int xid) {
        return new BarrierReply(xid);
    }
}
