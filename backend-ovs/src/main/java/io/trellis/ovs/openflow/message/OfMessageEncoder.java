package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.trellis.ovs.openflow.OfVersion;

/**
 * Encodes {@link OfMessage}s in the channel's OpenFlow version, which starts as the highest
 * offered one (for the hello) and is switched by the client once negotiation is done. Also
 * accepts an {@link OfMessageBatch}, encoded into one buffer so a burst of flow-mods costs one
 * allocation and one write.
 */
public final class OfMessageEncoder extends MessageToByteEncoder<Object> {

    private volatile OfVersion version;

    public OfMessageEncoder(OfVersion initialVersion) {
        this.version = requireNonNull(initialVersion, "initialVersion");
    }

    public OfVersion version() {
        return version;
    }

    public void version(OfVersion version) {
        this.version = requireNonNull(version, "version");
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof OfMessage || msg instanceof OfMessageBatch;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, ByteBuf out) {
        OfVersion v = version;
        if (msg instanceof OfMessageBatch batch) {
            for (OfMessage m : batch.messages()) {
                OfMessageCodec.encode(m, v, out);
            }
        } else {
            OfMessageCodec.encode((OfMessage) msg, v, out);
        }
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Object msg, boolean preferDirect) {
        int estimate = msg instanceof OfMessageBatch batch ? Math.max(256, batch.messages().size() * 160) : 256;
        return preferDirect ? ctx.alloc().ioBuffer(estimate) : ctx.alloc().heapBuffer(estimate);
    }
}
