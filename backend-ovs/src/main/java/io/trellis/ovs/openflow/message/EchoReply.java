package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

/** OFPT_ECHO_REPLY: echoes the request's xid and payload (section 7.5.3). */
public record EchoReply(int xid, RawBytes data) implements OfMessage {
    public EchoReply {
        requireNonNull(data, "data");
    }

    @Override
    public EchoReply withXid(int xid) {
        return new EchoReply(xid, data);
    }
}
