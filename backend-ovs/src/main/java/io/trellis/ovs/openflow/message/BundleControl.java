package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

/**
 * OFPT_BUNDLE_CONTROL (OpenFlow 1.5.1 section 7.3.9; ONF extension 2300 when OpenFlow 1.3 is
 * negotiated). {@code properties} holds the raw bundle property list (normally empty).
 */
public record BundleControl(int xid, int bundleId, BundleControlType type, int flags, RawBytes properties)
        implements OfMessage {

    /** OFPBF_ATOMIC: all or nothing. */
    public static final int ATOMIC = 1 << 0;
    /** OFPBF_ORDERED: apply in the order added. */
    public static final int ORDERED = 1 << 1;
    /** OFPBF_TIME: scheduled commit (1.5). */
    public static final int TIME = 1 << 2;

    public BundleControl {
        requireNonNull(type, "type");
        Check.u16("flags", flags);
        requireNonNull(properties, "properties");
    }

    public static BundleControl of(int xid, int bundleId, BundleControlType type, int flags) {
        return new BundleControl(xid, bundleId, type, flags, RawBytes.EMPTY);
    }

    @Override
    public BundleControl withXid(int xid) {
        return new BundleControl(xid, bundleId, type, flags, properties);
    }

    @Override
    public String toString() {
        return "BundleControl[xid=" + xid + ", bundle_id=" + Integer.toUnsignedString(bundleId) + ", " + type
                + ", flags=0x" + Integer.toHexString(flags) + (properties.isEmpty() ? "" : ", properties=" + properties)
                + "]";
    }
}
