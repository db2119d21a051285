package io.trellis.ovs.openflow.message;

import io.netty.handler.codec.DecoderException;
import io.trellis.ovs.openflow.OfCodecException;

/**
 * A well-framed OpenFlow message whose body cannot be decoded. It carries the header's xid so the
 * request the message answers can fail with the reason instead of waiting for its timeout.
 */
public final class MalformedMessageException extends DecoderException {
    private static final long serialVersionUID = 1L;

    private final int xid;
    private final int type;

    public MalformedMessageException(int xid, int type, OfCodecException cause) {
        super("message type " + type + " xid=0x" + Integer.toHexString(xid) + ": " + cause.getMessage(), cause);
        this.xid = xid;
        this.type = type;
    }

    public int xid() {
        return xid;
    }

    public int type() {
        return type;
    }
}
