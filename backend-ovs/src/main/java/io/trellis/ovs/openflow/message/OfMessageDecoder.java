package io.trellis.ovs.openflow.message;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.trellis.ovs.openflow.OfCodecException;
import java.util.List;

/**
 * Frames the byte stream by ofp_header.length and decodes each frame with {@link OfMessageCodec}.
 *
 * <p>A length below 8 means the stream is out of sync: a {@link CorruptedFrameException} is raised
 * and all further input dropped (the connection must be closed). A well-framed message whose body
 * is malformed raises a {@link MalformedMessageException} (a {@link DecoderException} caused by
 * {@link OfCodecException}, carrying the message's xid), after which decoding continues with the
 * next frame. (The 16-bit length field cannot exceed 65535; the
 * encoder refuses to write longer messages.)
 */
public final class OfMessageDecoder extends ByteToMessageDecoder {

    private boolean corrupted;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (corrupted) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < OfMessageCodec.HEADER_LENGTH) {
            return;
        }
        int start = in.readerIndex();
        int length = in.getUnsignedShort(start + 2);
        if (length < OfMessageCodec.HEADER_LENGTH) {
            corrupted = true;
            in.skipBytes(in.readableBytes());
            throw new CorruptedFrameException("ofp_header.length: " + length + " is below the 8-byte header (version 0x"
                    + Integer.toHexString(in.getUnsignedByte(start)) + ", type " + in.getUnsignedByte(start + 1)
                    + "); the OpenFlow stream is out of sync");
        }
        if (in.readableBytes() < length) {
            return;
        }
        ByteBuf frame = in.readSlice(length);
        try {
            out.add(OfMessageCodec.decode(frame));
        } catch (OfCodecException e) {
            throw new MalformedMessageException(in.getInt(start + 4), in.getUnsignedByte(start + 1), e);
        }
    }
}
