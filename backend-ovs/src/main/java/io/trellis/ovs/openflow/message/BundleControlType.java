package io.trellis.ovs.openflow.message;

import io.trellis.ovs.openflow.OfCodecException;

/** enum ofp_bundle_ctrl_type (OpenFlow 1.5.1 section 7.3.9.1). */
public enum BundleControlType {
    OPEN_REQUEST(0), OPEN_REPLY(1), CLOSE_REQUEST(2), CLOSE_REPLY(3),
    COMMIT_REQUEST(4), COMMIT_REPLY(5), DISCARD_REQUEST(6), DISCARD_REPLY(7);

    private final int wire;

    BundleControlType(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    public boolean isRequest() {
        return (wire & 1) == 0;
    }

    /** The reply type that answers this request type. */
    public BundleControlType reply() {
        if (!isRequest()) {
            throw new IllegalStateException(this + " is not a request");
        }
        return fromWire(wire + 1);
    }

    public static BundleControlType fromWire(int wire) {
        for (BundleControlType t : values()) {
            if (t.wire == wire) {
                return t;
            }
        }
        throw new OfCodecException("ofp_bundle_ctrl_msg.type: unknown bundle control type " + wire + " (expected 0..7)");
    }
}
