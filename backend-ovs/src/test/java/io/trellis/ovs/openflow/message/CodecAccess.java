package io.trellis.ovs.openflow.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.trellis.ovs.openflow.OfVersion;

/** Test helper: a message's wire bytes. */
public final class CodecAccess {
    private CodecAccess() {
    }

    public static byte[] encode(OfMessage m, OfVersion v) {
        ByteBuf buf = Unpooled.buffer();
        try {
            OfMessageCodec.encode(m, v, buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }
}
