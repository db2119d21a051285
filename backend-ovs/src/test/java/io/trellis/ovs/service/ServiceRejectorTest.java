package io.trellis.ovs.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.client.OpenFlowClientConfig;
import io.trellis.ovs.openflow.match.MatchField;
import io.trellis.ovs.openflow.match.OxmFields;
import io.trellis.ovs.openflow.message.OfConstants;
import io.trellis.ovs.openflow.message.OfMessageCodec;
import io.trellis.ovs.openflow.message.PacketIn2;
import io.trellis.ovs.openflow.message.PacketOut;
import io.trellis.ovs.openflow.message.RawBytes;
import io.trellis.ovs.pipeline.ServiceFlows;
import io.trellis.ovs.pipeline.PipelineFlows;
import io.trellis.ovs.pipeline.Pipeline;
import io.trellis.ovs.pipeline.CookieScheme;
import io.trellis.ovs.transport.Endpoint;
import io.trellis.ovs.transport.NettyTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The rejector's decisions on packet-ins (which it answers, which it leaves, the rate limit) with
 * a client that is not connected (packet-outs fail quietly), and the packet-out it builds as OVS
 * decodes it.
 */
class ServiceRejectorTest {

    private static final ServiceFlows FLOWS = ServiceFlows.of(new PipelineFlows(Pipeline.withServices(),
            CookieScheme.DEFAULT, PipelineFlows.DEFAULT_CT_ZONE));
    /** A SYN from 10.20.0.20:43210 to 10.96.0.10:80 (checksums are not read). */
    private static final byte[] SYN = HexFormat.of().parseHex("0a00000000010a000000000b0800"
            + "450000280001400040060000" + "0a140014" + "0a60000a"
            + "a8ca0050" + "00000064" + "00000000" + "5002ffff" + "00000000");

    @Test
    void answersRejectPacketInsWithinTheRateAndIgnoresOthers() {
        try (NettyTransport transport = new NettyTransport(1, "rejector-test");
                OpenFlowClient client = new OpenFlowClient(transport, new Endpoint.Unix(Path.of("/nonexistent.mgmt")),
                        OpenFlowClientConfig.DEFAULT)) {
            AtomicLong now = new AtomicLong();
            ServiceRejector rejector = new ServiceRejector(client, FLOWS, new TokenBucket(1, 3, now::get));
            rejector.onPacketIn(packetIn(SYN, new byte[] {1, 2, 3, 4}, 20));
            assertThat(rejector.answered() + rejector.limited() + rejector.unanswerable()).as("other userdata").isZero();
            for (int i = 0; i < 10; i++) {
                rejector.onPacketIn(packetIn(SYN, FLOWS.rejectUserdata(), 20));
            }
            assertThat(rejector.answered()).isEqualTo(3);
            assertThat(rejector.limited()).isEqualTo(7);
            now.addAndGet(1_000_000_000L);
            rejector.onPacketIn(packetIn(new byte[20], FLOWS.rejectUserdata(), 20));
            assertThat(rejector.unanswerable()).as("not a frame worth an answer").isEqualTo(1);
        }
    }

    @Test
    void thePacketOutAsOvsReadsIt() throws Exception {
        byte[] rst = RejectReplies.replyTo(SYN).orElseThrow();
        PacketOut out = PacketOut.of(OfConstants.PORT_CONTROLLER, List.of(Action.Output.to(20)), RawBytes.of(rst));
        ByteBuf buf = Unpooled.buffer();
        String printed;
        try {
            OfMessageCodec.encode(out, OfVersion.OF15, buf);
            Process p = new ProcessBuilder("ovs-ofctl", "ofp-print", ByteBufUtil.hexDump(buf)).redirectErrorStream(true)
                    .start();
            printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(printed).isZero();
        } catch (IOException e) {
            throw new AssertionError("cannot run ovs-ofctl: " + e, e);
        } finally {
            buf.release();
        }
        assertThat(printed).contains("in_port=CONTROLLER actions=output:20 data_len=54")
                .contains("tcp,vlan_tci=0x0000,dl_src=0a:00:00:00:00:01,dl_dst=0a:00:00:00:00:0b,nw_src=10.96.0.10,"
                        + "nw_dst=10.20.0.20,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,tp_src=80,tp_dst=43210,"
                        + "tcp_flags=rst|ack");
    }

    private static PacketIn2 packetIn(byte[] frame, byte[] userdata, int inPort) {
        return new PacketIn2(0, RawBytes.of(frame), OptionalInt.empty(), OptionalInt.empty(), 5, 0, 1,
                List.of(MatchField.exact(OxmFields.IN_PORT, ByteBuffer.allocate(4).putInt(inPort).array())),
                RawBytes.of(userdata), RawBytes.EMPTY, RawBytes.EMPTY);
    }
}
