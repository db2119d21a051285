package io.trellis.ovs.openflow.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.trellis.ovs.openflow.OfCodecException;
import io.trellis.ovs.openflow.OfVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Netty decoder (framing) and encoder (version, batches) on an EmbeddedChannel. */
class OfMessageNettyCodecTest {

    private static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
    }

    @Test
    void decoderReassemblesSplitFramesAndSplitsCoalescedOnes() {
        EmbeddedChannel ch = new EmbeddedChannel(new OfMessageDecoder());
        String barrier = "0614000800000001";
        String echo = "0602000a00000002cafe";
        ch.writeInbound(hex(barrier + echo.substring(0, 6)));
        assertThat((Object) ch.readInbound()).isEqualTo(new BarrierRequest(1));
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(hex(echo.substring(6, 14)));
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(hex(echo.substring(14) + barrier));
        assertThat((Object) ch.readInbound()).isEqualTo(new EchoRequest(2, RawBytes.fromHex("cafe")));
        assertThat((Object) ch.readInbound()).isEqualTo(new BarrierRequest(1));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void decoderRejectsALengthBelowTheHeaderAndDropsTheRestOfTheStream() {
        EmbeddedChannel ch = new EmbeddedChannel(new OfMessageDecoder());
        assertThatThrownBy(() -> ch.writeInbound(hex("0614000400000001")))
                .isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("ofp_header.length: 4 is below the 8-byte header");
        ch.writeInbound(hex("0614000800000001"));
        assertThat((Object) ch.readInbound()).as("stream out of sync: nothing more is decoded").isNull();
    }

    @Test
    void decoderReportsAMalformedMessageAndContinuesWithTheNext() {
        EmbeddedChannel ch = new EmbeddedChannel(new OfMessageDecoder());
        // FEATURES_REPLY with an 8-byte body (needs 24), followed by a good barrier reply.
        assertThatThrownBy(() -> ch.writeInbound(hex("06060010000000020000aabbccddeeff" + "0615000800000003")))
                .isInstanceOf(DecoderException.class)
                .hasCauseInstanceOf(OfCodecException.class)
                .hasMessageContaining("FEATURES_REPLY").hasMessageContaining("ofp_switch_features: needs 24 bytes");
        ch.writeInbound(Unpooled.EMPTY_BUFFER);
        assertThat((Object) ch.readInbound()).isEqualTo(new BarrierReply(3));
    }

    @Test
    void encoderUsesTheCurrentVersionAndEncodesBatchesIntoOneBuffer() {
        OfMessageEncoder encoder = new OfMessageEncoder(OfVersion.OF15);
        EmbeddedChannel ch = new EmbeddedChannel(encoder);
        ch.writeOutbound(Hello.offering(1, OfVersion.OF13, OfVersion.OF15));
        assertThat(ByteBufUtil.hexDump((ByteBuf) ch.readOutbound())).isEqualTo("06000010000000010001000800000050");
        encoder.version(OfVersion.OF13);
        ch.writeOutbound(new BarrierRequest(2));
        assertThat(ByteBufUtil.hexDump((ByteBuf) ch.readOutbound())).isEqualTo("0414000800000002");
        ch.writeOutbound(new OfMessageBatch(List.of(new BarrierRequest(3), new BarrierRequest(4))));
        ByteBuf both = ch.readOutbound();
        assertThat(ByteBufUtil.hexDump(both)).isEqualTo("0414000800000003" + "0414000800000004");
        both.release();
        assertThat((Object) ch.readOutbound()).isNull();
    }

    @Test
    void encoderAndDecoderTalkToEachOther() {
        EmbeddedChannel out = new EmbeddedChannel(new OfMessageEncoder(OfVersion.OF15));
        EmbeddedChannel in = new EmbeddedChannel(new OfMessageDecoder());
        List<OfMessage> messages = List.of(new FeaturesRequest(1), new EchoRequest(2, RawBytes.fromHex("01")),
                BundleControl.of(3, 7, BundleControlType.COMMIT_REQUEST, BundleControl.ATOMIC),
                new SetPacketInFormat(4, SetPacketInFormat.NXT_PACKET_IN2));
        messages.forEach(out::writeOutbound);
        ByteBuf wire;
        while ((wire = out.readOutbound()) != null) {
            in.writeInbound(wire);
        }
        for (OfMessage m : messages) {
            assertThat((Object) in.readInbound()).isEqualTo(m);
        }
    }
}
