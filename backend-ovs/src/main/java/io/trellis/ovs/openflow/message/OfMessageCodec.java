package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.trellis.ovs.openflow.OfCodecException;
import io.trellis.ovs.openflow.OfVersion;

/**
 * Encodes and decodes whole OpenFlow messages (ofp_header + body), dispatching to one codec per
 * message family. Pure functions over ByteBufs; the Netty handlers and the tests both use it.
 */
public final class OfMessageCodec {

    public static final int HEADER_LENGTH = 8;
    public static final int MAX_LENGTH = 0xffff;

    private OfMessageCodec() {
    }

    /**
     * Appends {@code message} to {@code out} in the wire format of {@code version}. A hello is
     * written with its own header version and an unknown message with its recorded one.
     */
    public static void encode(OfMessage message, OfVersion version, ByteBuf out) {
        requireNonNull(message, "message");
        requireNonNull(version, "version");
        int start = out.writerIndex();
        try {
            encode0(message, version, out, start);
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e instanceof OfCodecException ? e
                    : new OfCodecException("encoding " + message.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static void encode0(OfMessage message, OfVersion version, ByteBuf out, int start) {
        int wireVersion = version.wireVersion();
        if (message instanceof Hello h) {
            wireVersion = h.headerVersion();
        } else if (message instanceof UnknownMessage u) {
            wireVersion = u.version();
        }
        out.writeByte(wireVersion);
        out.writeByte(typeOf(message, version));
        out.writeShort(0);
        out.writeInt(message.xid());
        if (message instanceof Hello m) {
            BasicCodec.encodeHello(m, out);
        } else if (message instanceof ErrorMessage m) {
            BasicCodec.encodeError(m, out);
        } else if (message instanceof EchoRequest m) {
            m.data().writeTo(out);
        } else if (message instanceof EchoReply m) {
            m.data().writeTo(out);
        } else if (message instanceof FeaturesReply m) {
            BasicCodec.encodeFeaturesReply(m, out);
        } else if (message instanceof GetConfigReply m) {
            out.writeShort(m.flags()).writeShort(m.missSendLen());
        } else if (message instanceof SetConfig m) {
            out.writeShort(m.flags()).writeShort(m.missSendLen());
        } else if (message instanceof FlowMod m) {
            FlowCodec.encodeFlowMod(m, version, out);
        } else if (message instanceof GroupMod m) {
            GroupCodec.encodeGroupMod(m, version, out);
        } else if (message instanceof MultipartRequest m) {
            MultipartCodec.encodeRequest(m, version, out);
        } else if (message instanceof MultipartReply m) {
            MultipartCodec.encodeReply(m, version, out);
        } else if (message instanceof PacketOut m) {
            PacketCodec.encodePacketOut(m, version, out);
        } else if (message instanceof PacketIn m) {
            PacketCodec.encodePacketIn(m, version, out);
        } else if (message instanceof BundleControl m) {
            BundleCodec.encodeControl(m, version, out);
        } else if (message instanceof BundleAdd m) {
            BundleCodec.encodeAdd(m, version, out);
        } else if (message instanceof PacketIn2 m) {
            ExperimenterCodec.encodePacketIn2(m, version, out);
        } else if (message instanceof SetPacketInFormat m) {
            ExperimenterCodec.encodeSetPacketInFormat(m, out);
        } else if (message instanceof CtFlush m) {
            CtFlushCodec.encode(m, out);
        } else if (message instanceof UnknownExperimenter m) {
            out.writeInt(m.experimenter()).writeInt(m.expType());
            m.body().writeTo(out);
        } else if (message instanceof UnknownMessage m) {
            m.body().writeTo(out);
        }
        // FeaturesRequest, GetConfigRequest, BarrierRequest and BarrierReply are header only.
        Wire.setLength16(out, start + 2, out.writerIndex() - start, OfType.name(out.getUnsignedByte(start + 1)));
    }

    private static int typeOf(OfMessage message, OfVersion version) {
        if (message instanceof Hello) {
            return OfType.HELLO;
        } else if (message instanceof ErrorMessage) {
            return OfType.ERROR;
        } else if (message instanceof EchoRequest) {
            return OfType.ECHO_REQUEST;
        } else if (message instanceof EchoReply) {
            return OfType.ECHO_REPLY;
        } else if (message instanceof FeaturesRequest) {
            return OfType.FEATURES_REQUEST;
        } else if (message instanceof FeaturesReply) {
            return OfType.FEATURES_REPLY;
        } else if (message instanceof GetConfigRequest) {
            return OfType.GET_CONFIG_REQUEST;
        } else if (message instanceof GetConfigReply) {
            return OfType.GET_CONFIG_REPLY;
        } else if (message instanceof SetConfig) {
            return OfType.SET_CONFIG;
        } else if (message instanceof BarrierRequest) {
            return OfType.BARRIER_REQUEST;
        } else if (message instanceof BarrierReply) {
            return OfType.BARRIER_REPLY;
        } else if (message instanceof FlowMod) {
            return OfType.FLOW_MOD;
        } else if (message instanceof GroupMod) {
            return OfType.GROUP_MOD;
        } else if (message instanceof MultipartRequest) {
            return OfType.MULTIPART_REQUEST;
        } else if (message instanceof MultipartReply) {
            return OfType.MULTIPART_REPLY;
        } else if (message instanceof PacketOut) {
            return OfType.PACKET_OUT;
        } else if (message instanceof PacketIn) {
            return OfType.PACKET_IN;
        } else if (message instanceof BundleControl) {
            return version == OfVersion.OF13 ? OfType.EXPERIMENTER : OfType.BUNDLE_CONTROL;
        } else if (message instanceof BundleAdd) {
            return version == OfVersion.OF13 ? OfType.EXPERIMENTER : OfType.BUNDLE_ADD_MESSAGE;
        } else if (message instanceof UnknownMessage u) {
            return u.type();
        }
        return OfType.EXPERIMENTER; // PacketIn2, SetPacketInFormat, CtFlush, UnknownExperimenter
    }

    /**
     * Decodes exactly one message occupying all readable bytes of {@code frame} (whose
     * ofp_header.length must equal that count). Messages of a version other than 1.3/1.5, and
     * types not modelled here, come back as {@link UnknownMessage}.
     */
    public static OfMessage decode(ByteBuf frame) {
        int available = frame.readableBytes();
        if (available < HEADER_LENGTH) {
            throw new OfCodecException("ofp_header: needs 8 bytes, got " + available);
        }
        int start = frame.readerIndex();
        int wireVersion = frame.getUnsignedByte(start);
        int type = frame.getUnsignedByte(start + 1);
        int length = frame.getUnsignedShort(start + 2);
        int xid = frame.getInt(start + 4);
        if (length != available) {
            throw new OfCodecException("ofp_header.length: " + length + ", but the frame holds " + available + " bytes ("
                    + OfType.name(type) + " xid=0x" + Integer.toHexString(xid) + ")");
        }
        ByteBuf body = frame.slice(start + HEADER_LENGTH, length - HEADER_LENGTH);
        frame.skipBytes(length);
        try {
            OfMessage message = decodeBody(wireVersion, type, xid, body);
            if (body.isReadable()) {
                throw new OfCodecException(body.readableBytes() + " unexpected trailing bytes");
            }
            return message;
        } catch (OfCodecException | IndexOutOfBoundsException e) {
            throw new OfCodecException("decoding " + OfType.name(type) + " (version 0x" + Integer.toHexString(wireVersion)
                    + ", xid=0x" + Integer.toHexString(xid) + ", " + length + " bytes): " + e.getMessage(), e);
        }
    }

    private static OfMessage decodeBody(int wireVersion, int type, int xid, ByteBuf body) {
        // Version-independent messages first (section 7.5: their layout never changes).
        switch (type) {
            case OfType.HELLO:
                return BasicCodec.decodeHello(xid, wireVersion, body);
            case OfType.ERROR:
                return BasicCodec.decodeError(xid, body);
            case OfType.ECHO_REQUEST:
                return new EchoRequest(xid, RawBytes.read(body, body.readableBytes()));
            case OfType.ECHO_REPLY:
                return new EchoReply(xid, RawBytes.read(body, body.readableBytes()));
            default:
                break;
        }
        if (wireVersion != OfVersion.OF13.wireVersion() && wireVersion != OfVersion.OF15.wireVersion()) {
            return new UnknownMessage(xid, wireVersion, type, RawBytes.read(body, body.readableBytes()));
        }
        OfVersion version = OfVersion.fromWire(wireVersion);
        switch (type) {
            case OfType.FEATURES_REQUEST:
                return new FeaturesRequest(xid);
            case OfType.FEATURES_REPLY:
                return BasicCodec.decodeFeaturesReply(xid, body);
            case OfType.GET_CONFIG_REQUEST:
                return new GetConfigRequest(xid);
            case OfType.GET_CONFIG_REPLY:
                Wire.need(body, 4, "ofp_switch_config");
                return new GetConfigReply(xid, body.readUnsignedShort(), body.readUnsignedShort());
            case OfType.SET_CONFIG:
                Wire.need(body, 4, "ofp_switch_config");
                return new SetConfig(xid, body.readUnsignedShort(), body.readUnsignedShort());
            case OfType.BARRIER_REQUEST:
                return new BarrierRequest(xid);
            case OfType.BARRIER_REPLY:
                return new BarrierReply(xid);
            case OfType.FLOW_MOD:
                return FlowCodec.decodeFlowMod(xid, version, body);
            case OfType.GROUP_MOD:
                return GroupCodec.decodeGroupMod(xid, version, body);
            case OfType.MULTIPART_REQUEST:
                return MultipartCodec.decodeRequest(xid, version, body);
            case OfType.MULTIPART_REPLY:
                return MultipartCodec.decodeReply(xid, version, body);
            case OfType.PACKET_OUT:
                return PacketCodec.decodePacketOut(xid, version, body);
            case OfType.PACKET_IN:
                return PacketCodec.decodePacketIn(xid, version, body);
            case OfType.BUNDLE_CONTROL:
                if (version == OfVersion.OF15) {
                    return BundleCodec.decodeControl(xid, body);
                }
                break;
            case OfType.BUNDLE_ADD_MESSAGE:
                if (version == OfVersion.OF15) {
                    return BundleCodec.decodeAdd(xid, body);
                }
                break;
            case OfType.EXPERIMENTER:
                return ExperimenterCodec.decode(xid, version, body);
            default:
                break;
        }
        return new UnknownMessage(xid, wireVersion, type, RawBytes.read(body, body.readableBytes()));
    }
}
