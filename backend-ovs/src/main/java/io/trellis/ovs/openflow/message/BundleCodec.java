package io.trellis.ovs.openflow.message;

import io.netty.buffer.ByteBuf;
import io.trellis.ovs.openflow.OfCodecException;
import io.trellis.ovs.openflow.OfVersion;

/**
 * Bundle control and bundle add (OpenFlow 1.5.1 section 7.3.9). With OpenFlow 1.3 OVS speaks the
 * same bodies as ONF experimenter messages 2300 / 2301 (OVS ofp-msgs.h, "ONFT 1.3").
 */
final class BundleCodec {

    static final int ONF_BUNDLE_CONTROL = 2300;
    static final int ONF_BUNDLE_ADD = 2301;

    private BundleCodec() {
    }

    static void encodeControl(BundleControl m, OfVersion version, ByteBuf out) {
        if (version == OfVersion.OF13) {
            out.writeInt(OfErrorCatalog.ONF_VENDOR_ID);
            out.writeInt(ONF_BUNDLE_CONTROL);
        }
        out.writeInt(m.bundleId());
        out.writeShort(m.type().wire());
        out.writeShort(m.flags());
        m.properties().writeTo(out);
    }

    static BundleControl decodeControl(int xid, ByteBuf body) {
        Wire.need(body, 8, "ofp_bundle_ctrl_msg");
        int bundleId = body.readInt();
        BundleControlType type = BundleControlType.fromWire(body.readUnsignedShort());
        int flags = body.readUnsignedShort();
        return new BundleControl(xid, bundleId, type, flags, RawBytes.read(body, body.readableBytes()));
    }

    static void encodeAdd(BundleAdd m, OfVersion version, ByteBuf out) {
        if (version == OfVersion.OF13) {
            out.writeInt(OfErrorCatalog.ONF_VENDOR_ID);
            out.writeInt(ONF_BUNDLE_ADD);
        }
        out.writeInt(m.bundleId());
        out.writeZero(2);
        out.writeShort(m.flags());
        OfMessageCodec.encode(m.message(), version, out);
        m.properties().writeTo(out);
    }

    static BundleAdd decodeAdd(int xid, ByteBuf body) {
        Wire.need(body, 16, "ofp_bundle_add_msg");
        int bundleId = body.readInt();
        body.skipBytes(2);
        int flags = body.readUnsignedShort();
        int innerLength = body.getUnsignedShort(body.readerIndex() + 2);
        if (innerLength < OfMessageCodec.HEADER_LENGTH || innerLength > body.readableBytes()) {
            throw new OfCodecException("ofp_bundle_add_msg.message: inner length " + innerLength + " does not fit the "
                    + body.readableBytes() + " bytes left");
        }
        OfMessage inner = OfMessageCodec.decode(body.readSlice(innerLength));
        return new BundleAdd(xid, bundleId, flags, inner, RawBytes.read(body, body.readableBytes()));
    }
}
