package io.trellis.ovs.openflow.message;

import io.netty.buffer.ByteBuf;
import io.trellis.ovs.openflow.OfCodecException;
import java.util.TreeSet;

/** Hello, error and features bodies (OpenFlow 1.5.1 sections 7.5.1, 7.5.4, 7.3.1). */
final class BasicCodec {

    /** OFPHET_VERSIONBITMAP. */
    private static final int HELLO_ELEM_VERSIONBITMAP = 1;

    private BasicCodec() {
    }

    static void encodeHello(Hello hello, ByteBuf out) {
        if (!hello.bitmapVersions().isEmpty()) {
            int words = hello.bitmapVersions().last() / 32 + 1;
            int[] bitmap = new int[words];
            for (int v : hello.bitmapVersions()) {
                bitmap[v / 32] |= 1 << (v % 32);
            }
            int start = out.writerIndex();
            int length = 4 + 4 * words;
            out.writeShort(HELLO_ELEM_VERSIONBITMAP);
            out.writeShort(length);
            for (int word : bitmap) {
                out.writeInt(word);
            }
            Wire.padTo8(out, start);
        }
        hello.otherElements().writeTo(out);
    }

    static Hello decodeHello(int xid, int headerVersion, ByteBuf body) {
        TreeSet<Integer> versions = new TreeSet<>();
        ByteBuf other = body.alloc().buffer(0);
        try {
            while (body.readableBytes() >= 4) {
                int start = body.readerIndex();
                int type = body.readUnsignedShort();
                int length = body.readUnsignedShort();
                if (length < 4 || length - 4 > body.readableBytes()) {
                    throw new OfCodecException("ofp_hello_elem type " + type + ": length " + length + " does not fit the "
                            + (body.readableBytes() + 4) + " bytes left");
                }
                if (type == HELLO_ELEM_VERSIONBITMAP) {
                    if ((length - 4) % 4 != 0) {
                        throw new OfCodecException("ofp_hello_elem_versionbitmap: length " + length
                                + " is not 4 + a multiple of 4");
                    }
                    for (int word = 0; word < (length - 4) / 4; word++) {
                        int bits = body.readInt();
                        for (int bit = 0; bit < 32; bit++) {
                            if ((bits & (1 << bit)) != 0) {
                                versions.add(word * 32 + bit);
                            }
                        }
                    }
                } else {
                    body.skipBytes(length - 4);
                }
                // Elements are padded to 8 bytes; a last element may omit its padding.
                body.skipBytes(Math.min(Wire.padding8(length), body.readableBytes()));
                if (type != HELLO_ELEM_VERSIONBITMAP) {
                    other.writeBytes(body, start, body.readerIndex() - start);
                }
            }
            if (body.isReadable()) {
                other.writeBytes(body);
            }
            return new Hello(xid, headerVersion, versions, RawBytes.read(other, other.readableBytes()));
        } finally {
            other.release();
        }
    }

    static void encodeError(ErrorMessage error, ByteBuf out) {
        out.writeShort(error.type());
        out.writeShort(error.code());
        if (error.isExperimenter()) {
            out.writeInt(error.experimenter());
        }
        error.data().writeTo(out);
    }

    static ErrorMessage decodeError(int xid, ByteBuf body) {
        Wire.need(body, 4, "ofp_error_msg");
        int type = body.readUnsignedShort();
        int code = body.readUnsignedShort();
        int experimenter = 0;
        if (type == OfErrorCatalog.EXPERIMENTER_TYPE) {
            Wire.need(body, 4, "ofp_error_experimenter_msg.experimenter");
            experimenter = body.readInt();
        }
        return new ErrorMessage(xid, type, code, experimenter, RawBytes.read(body, body.readableBytes()));
    }

    static void encodeFeaturesReply(FeaturesReply m, ByteBuf out) {
        out.writeLong(m.datapathId());
        out.writeInt((int) m.nBuffers());
        out.writeByte(m.nTables());
        out.writeByte(m.auxiliaryId());
        out.writeZero(2);
        out.writeInt((int) m.capabilities());
        out.writeInt((int) m.reserved());
    }

    static FeaturesReply decodeFeaturesReply(int xid, ByteBuf body) {
        Wire.need(body, 24, "ofp_switch_features");
        long dpid = body.readLong();
        long nBuffers = body.readUnsignedInt();
        int nTables = body.readUnsignedByte();
        int aux = body.readUnsignedByte();
        body.skipBytes(2);
        long capabilities = body.readUnsignedInt();
        long reserved = body.readUnsignedInt();
        return new FeaturesReply(xid, dpid, nBuffers, nTables, aux, capabilities, reserved);
    }
}
