package io.trellis.ovs.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.client.OpenFlowClientConfig;
import io.trellis.ovs.openflow.message.CtFlush;
import io.trellis.ovs.openflow.message.CtTuple;
import io.trellis.ovs.openflow.message.PacketIn2;
import io.trellis.ovs.openflow.message.RawBytes;
import io.trellis.ovs.pipeline.CookieScheme;
import io.trellis.ovs.pipeline.Pipeline;
import io.trellis.ovs.pipeline.PipelineFlows;
import io.trellis.ovs.pipeline.ServiceFlows;
import io.trellis.ovs.transport.Endpoint;
import io.trellis.ovs.transport.NettyTransport;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Which entry an invalid reset's packet-in deletes (the one whose reply tuple is the reset's
 * tuple reversed, in the pod zone), which packet-ins are left alone, and the rate limit.
 */
class InvalidResetRecoveryTest {

    private static final ServiceFlows FLOWS = ServiceFlows.of(new PipelineFlows(Pipeline.withServices(),
            CookieScheme.DEFAULT, PipelineFlows.DEFAULT_CT_ZONE));
    /**
     * A reset from 10.244.1.3:41003 to 10.244.0.2:80 as the controller sees it: the client's reset
     * after conntrack applied the connection's DNAT (and the source port conntrack chose).
     */
    private static final byte[] RST = HexFormat.of().parseHex("0a00000000010a000000000b0800"
            + "450000280001400040060000" + "0af40103" + "0af40002"
            + "a02b0050" + "e5937b41" + "00000000" + "5004ffff" + "00000000");
    /** The same segment as a SYN. */
    private static final byte[] SYN = HexFormat.of().parseHex("0a00000000010a000000000b0800"
            + "450000280001400040060000" + "0af40103" + "0af40002"
            + "a02b0050" + "e5937b41" + "00000000" + "5002ffff" + "00000000");

    @Test
    void anInvalidResetDeletesTheEntryWhoseReplyTupleIsItsOwnReversed() throws Exception {
        List<CtFlush> sent = new ArrayList<>();
        try (Harness h = new Harness(sent, 100)) {
            h.recovery.onPacketIn(packetIn(RST, FLOWS.invalidResetUserdata()));
            assertThat(sent).containsExactly(new CtFlush(6, PipelineFlows.DEFAULT_CT_ZONE, CtTuple.ANY,
                    new CtTuple(Optional.of(InetAddress.getByName("10.244.0.2")),
                            Optional.of(InetAddress.getByName("10.244.1.3")), OptionalInt.of(80),
                            OptionalInt.of(41003))));
            assertThat(h.recovery.flushed()).isEqualTo(1);
            assertThat(h.recovery.ignored()).isZero();
        }
    }

    @Test
    void otherPacketInsAndSegmentsWithoutResetAreLeftAlone() {
        List<CtFlush> sent = new ArrayList<>();
        try (Harness h = new Harness(sent, 100)) {
            h.recovery.onPacketIn(packetIn(RST, FLOWS.rejectUserdata()));
            assertThat(sent).as("a reject packet-in is the rejector's").isEmpty();
            assertThat(h.recovery.ignored()).isZero();
            h.recovery.onPacketIn(packetIn(SYN, FLOWS.invalidResetUserdata()));
            h.recovery.onPacketIn(packetIn(new byte[30], FLOWS.invalidResetUserdata()));
            assertThat(sent).isEmpty();
            assertThat(h.recovery.ignored()).isEqualTo(2);
        }
    }

    @Test
    void flushesAreRateLimited() {
        List<CtFlush> sent = new ArrayList<>();
        try (Harness h = new Harness(sent, 3)) {
            for (int i = 0; i < 10; i++) {
                h.recovery.onPacketIn(packetIn(RST, FLOWS.invalidResetUserdata()));
            }
            assertThat(sent).hasSize(3);
            assertThat(h.recovery.ignored()).isEqualTo(7);
            h.now.addAndGet(1_000_000_000L);
            h.recovery.onPacketIn(packetIn(RST, FLOWS.invalidResetUserdata()));
            assertThat(sent).hasSize(4);
        }
    }

    @Test
    void resetTuplesAreReadFromIpv4TcpOnly() throws Exception {
        assertThat(InvalidResetRecovery.TcpTuple.ofReset(RST)).contains(new InvalidResetRecovery.TcpTuple(
                InetAddress.getByName("10.244.1.3"), 41003, InetAddress.getByName("10.244.0.2"), 80));
        byte[] udp = RST.clone();
        udp[14 + 9] = 17;
        byte[] fragment = RST.clone();
        fragment[14 + 7] = 8;
        byte[] truncated = java.util.Arrays.copyOf(RST, 14 + 20 + 12);
        assertThat(InvalidResetRecovery.TcpTuple.ofReset(udp)).isEmpty();
        assertThat(InvalidResetRecovery.TcpTuple.ofReset(fragment)).isEmpty();
        assertThat(InvalidResetRecovery.TcpTuple.ofReset(truncated)).isEmpty();
    }

    private static PacketIn2 packetIn(byte[] frame, byte[] userdata) {
        return new PacketIn2(0, RawBytes.of(frame), OptionalInt.empty(), OptionalInt.empty(), 4, 0, 1, List.of(),
                RawBytes.of(userdata), RawBytes.EMPTY, RawBytes.EMPTY);
    }

    /** A recovery whose flushes are recorded and succeed at once, on a client that never connects. */
    private static final class Harness implements AutoCloseable {
        final AtomicLong now = new AtomicLong();
        final NettyTransport transport = new NettyTransport(1, "reset-recovery-test");
        final OpenFlowClient client = new OpenFlowClient(transport, new Endpoint.Unix(Path.of("/nonexistent.mgmt")),
                OpenFlowClientConfig.DEFAULT);
        final InvalidResetRecovery recovery;

        Harness(List<CtFlush> sent, int burst) {
            recovery = new InvalidResetRecovery(client, f -> {
                sent.add(f);
                return CompletableFuture.completedFuture(null);
            }, FLOWS, new TokenBucket(1, burst, now::get));
        }

        @Override
        public void close() {
            client.close();
            transport.close();
        }
    }
}
