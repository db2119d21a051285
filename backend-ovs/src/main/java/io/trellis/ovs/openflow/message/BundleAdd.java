package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

/**
 * OFPT_BUNDLE_ADD_MESSAGE (OpenFlow 1.5.1 section 7.3.9.6; ONF extension 2301 with OpenFlow 1.3)
 * wrapping one message. The spec requires the inner message's xid to equal the outer one (OVS
 * reports the inner message's failure under that xid), which {@link #of} and {@link #withXid}
 * keep true.
 */
public record BundleAdd(int xid, int bundleId, int flags, OfMessage message, RawBytes properties) implements OfMessage {

    public BundleAdd {
        Check.u16("flags", flags);
        requireNonNull(message, "message");
        requireNonNull(properties, "properties");
        if (message instanceof BundleAdd || message instanceof BundleControl) {
            throw new IllegalArgumentException("a bundle cannot contain " + message.getClass().getSimpleName());
        }
    }

    /** Wraps {@code message}, taking its xid. */
    public static BundleAdd of(int bundleId, int flags, OfMessage message) {
        return new BundleAdd(message.xid(), bundleId, flags, message, RawBytes.EMPTY);
    }

    @Override
    public BundleAdd withXid(int xid) {
        return new BundleAdd(xid, bundleId, flags, message.withXid(xid), properties);
    }
}
