package io.trellis.ovs.ovsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.LongNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.json.JsonObjectDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonRpcCodecTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new JsonObjectDecoder(1 << 20), new JsonRpcCodec());
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @Test
    void decodesTheThreeMessageKindsFromOneStream() {
        EmbeddedChannel ch = channel();
        // Two messages in one read, the third split across two reads.
        ch.writeInbound(text("{\"id\":\"echo\",\"method\":\"echo\",\"params\":[]}"
                + "{\"id\":null,\"method\":\"update\",\"params\":[\"m1\",{\"Bridge\":{}}]}{\"id\":7,\"res"));
        ch.writeInbound(text("ult\":[\"Open_vSwitch\"],\"error\":null}"));
        assertThat((Object) ch.readInbound()).isEqualTo(new JsonRpcMessage.Request(
                MAPPER.getNodeFactory().textNode("echo"), "echo", MAPPER.createArrayNode()));
        JsonRpcMessage.Notification n = ch.readInbound();
        assertThat(n.method()).isEqualTo("update");
        assertThat(n.params().get(0).asText()).isEqualTo("m1");
        JsonRpcMessage.Response r = ch.readInbound();
        assertThat(r.id().asLong()).isEqualTo(7);
        assertThat(r.isError()).isFalse();
        assertThat(r.result().get(0).asText()).isEqualTo("Open_vSwitch");
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void decodesAnErrorResponse() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(text("{\"id\":3,\"result\":null,\"error\":\"unknown database\"}"));
        JsonRpcMessage.Response r = ch.readInbound();
        assertThat(r.isError()).isTrue();
        assertThat(r.error().asText()).isEqualTo("unknown database");
    }

    @Test
    void encodesJsonRpc10Objects() throws Exception {
        EmbeddedChannel ch = channel();
        ArrayNode params = MAPPER.createArrayNode().add("Open_vSwitch");
        ch.writeOutbound(new JsonRpcMessage.Request(LongNode.valueOf(1), "get_schema", params));
        ch.writeOutbound(new JsonRpcMessage.Notification("cancel", MAPPER.createArrayNode().add(1)));
        ch.writeOutbound(JsonRpcMessage.Response.success(MAPPER.getNodeFactory().textNode("echo"),
                MAPPER.createArrayNode()));
        assertThat(MAPPER.readTree(readText(ch)))
                .isEqualTo(MAPPER.readTree("{\"method\":\"get_schema\",\"params\":[\"Open_vSwitch\"],\"id\":1}"));
        assertThat(MAPPER.readTree(readText(ch)))
                .isEqualTo(MAPPER.readTree("{\"method\":\"cancel\",\"params\":[1],\"id\":null}"));
        assertThat(MAPPER.readTree(readText(ch)))
                .isEqualTo(MAPPER.readTree("{\"result\":[],\"error\":null,\"id\":\"echo\"}"));
    }

    @Test
    void malformedMessagesNameTheProblem() {
        assertThatThrownBy(() -> channel().writeInbound(text("{\"method\":5,\"params\":[],\"id\":1}")))
                .isInstanceOf(DecoderException.class).hasMessageContaining("\"method\" must be a string, got 5");
        assertThatThrownBy(() -> channel().writeInbound(text("{\"method\":\"echo\",\"params\":{},\"id\":1}")))
                .hasMessageContaining("echo: \"params\" must be an array, got {}");
        assertThatThrownBy(() -> channel().writeInbound(text("{\"result\":1,\"error\":null}")))
                .hasMessageContaining("response without \"id\"");
        assertThatThrownBy(() -> channel().writeInbound(text("{\"foo\":1}")))
                .hasMessageContaining("neither \"method\" nor \"result\"/\"error\"");
        assertThatThrownBy(() -> channel().writeInbound(text("{\"id\":1,\"result\":tru}")))
                .hasMessageContaining("malformed JSON");
    }

    private static String readText(EmbeddedChannel ch) {
        ByteBuf buf = ch.readOutbound();
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }
}
