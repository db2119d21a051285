package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import java.io.IOException;
import java.util.List;

/**
 * Maps single JSON texts (as split by Netty's {@code JsonObjectDecoder}) to {@link JsonRpcMessage}s
 * and back. Stateless apart from the thread-safe {@link ObjectMapper}.
 */
public final class JsonRpcCodec extends MessageToMessageCodec<ByteBuf, JsonRpcMessage> {

    private final ObjectMapper mapper;

    public JsonRpcCodec(ObjectMapper mapper) {
        this.mapper = requireNonNull(mapper, "mapper");
    }

    public JsonRpcCodec() {
        this(new ObjectMapper());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, JsonRpcMessage msg, List<Object> out) throws IOException {
        ByteBuf buf = ctx.alloc().buffer();
        try (ByteBufOutputStream stream = new ByteBufOutputStream(buf)) {
            mapper.writeValue((java.io.OutputStream) stream, msg.toJson());
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
        out.add(buf);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
        JsonNode json;
        try {
            json = mapper.readTree((java.io.InputStream) new ByteBufInputStream(msg));
        } catch (IOException e) {
            throw new OvsdbProtocolException("malformed JSON from OVSDB peer: " + e.getMessage(), e);
        }
        out.add(JsonRpcMessage.fromJson(json));
    }
}
