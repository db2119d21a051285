package io.trellis.ovs.openflow.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.trellis.ovs.openflow.OfVersion;

/** Encode/decode helpers shared by the message codec tests. */
final class CodecTestSupport {

    private CodecTestSupport() {
    }

    static String hex(OfMessage message, OfVersion version) {
        ByteBuf buf = Unpooled.buffer();
        try {
            OfMessageCodec.encode(message, version, buf);
            return ByteBufUtil.hexDump(buf);
        } finally {
            buf.release();
        }
    }

    static OfMessage decodeHex(String hex) {
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replaceAll("\\s+", "")));
        try {
            OfMessage m = OfMessageCodec.decode(buf);
            assertThat(buf.isReadable()).as("decoder consumed the frame").isFalse();
            return m;
        } finally {
            buf.release();
        }
    }

    /** Encodes, decodes, checks equality, re-encodes and checks the bytes are identical. Returns the hex. */
    static String roundTrip(OfMessage message, OfVersion version) {
        String hex = hex(message, version);
        OfMessage decoded = decodeHex(hex);
        assertThat(decoded).as("decoded %s", version).isEqualTo(message);
        assertThat(hex(decoded, version)).as("re-encoded %s", version).isEqualTo(hex);
        return hex;
    }
}
