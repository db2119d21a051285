package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

/** OFPT_ECHO_REQUEST with its arbitrary payload (section 7.5.2). */
public record EchoRequest(int xid, RawBytes data) implements OfMessage {
    public EchoRequest {
        requireNonNull(data, "data");
    }

    @Override
    public EchoRequest withXid(int xid) {
        return new EchoRequest(xid, data);
    }
}
