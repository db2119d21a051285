package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

/**
 * A message this library does not decode (such as OFPT_PORT_STATUS or OFPT_FLOW_REMOVED), kept
 * with its header fields and raw body so it can be logged or re-encoded byte for byte.
 */
public record UnknownMessage(int xid, int version, int type, RawBytes body) implements OfMessage {
    public UnknownMessage {
        Check.u8("version", version);
        Check.u8("type", type);
        requireNonNull(body, "body");
    }

    @Override
    public UnknownMessage withXid(int xid) {
        return new UnknownMessage(xid, version, type, body);
    }

    @Override
    public String toString() {
        return "UnknownMessage[" + OfType.name(type) + ", version=0x" + Integer.toHexString(version) + ", xid="
                + xid + ", body=" + body + "]";
    }
}
