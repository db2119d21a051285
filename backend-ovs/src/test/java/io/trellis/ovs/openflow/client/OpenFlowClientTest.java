package io.trellis.ovs.openflow.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.message.BarrierReply;
import io.trellis.ovs.openflow.message.BarrierRequest;
import io.trellis.ovs.openflow.message.BundleAdd;
import io.trellis.ovs.openflow.message.BundleControl;
import io.trellis.ovs.openflow.message.BundleControlType;
import io.trellis.ovs.openflow.message.EchoReply;
import io.trellis.ovs.openflow.message.EchoRequest;
import io.trellis.ovs.openflow.message.ErrorMessage;
import io.trellis.ovs.openflow.message.FeaturesReply;
import io.trellis.ovs.openflow.message.FeaturesRequest;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.GroupStats;
import io.trellis.ovs.openflow.message.GroupStatsReply;
import io.trellis.ovs.openflow.message.GroupStatsRequest;
import io.trellis.ovs.openflow.message.Hello;
import io.trellis.ovs.openflow.message.MultipartReply;
import io.trellis.ovs.openflow.message.OfMessage;
import io.trellis.ovs.openflow.message.PacketIn2;
import io.trellis.ovs.openflow.message.PacketInMessage;
import io.trellis.ovs.openflow.message.RawBytes;
import io.trellis.ovs.openflow.message.SetPacketInFormat;
import io.trellis.ovs.transport.Backoff;
import io.trellis.ovs.transport.Endpoint;
import io.trellis.ovs.transport.NettyTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against an in-process fake switch on a Unix socket. */
class OpenFlowClientTest {

    @TempDir
    Path dir;

    private NettyTransport transport;
    private FakeSwitch sw;
    private OpenFlowClient client;
    private final BlockingQueue<ConnectionState> states = new LinkedBlockingQueue<>();

    private static final OpenFlowClientConfig CONFIG = OpenFlowClientConfig.DEFAULT
            .withRequestTimeout(Duration.ofSeconds(2))
            .withBundleTimeout(Duration.ofSeconds(5))
            .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 2.0));

    @BeforeEach
    void setUp() throws Exception {
        transport = new NettyTransport(2, "of-test");
        sw = new FakeSwitch(dir.resolve("br0.mgmt"), transport.group()).start();
    }

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        sw.close();
        transport.close();
    }

    private OpenFlowClient connect(OpenFlowClientConfig config) throws Exception {
        client = new OpenFlowClient(transport, Endpoint.unix(dir.resolve("br0.mgmt")), config);
        client.addConnectionListener(states::add);
        client.connect().get(5, TimeUnit.SECONDS);
        return client;
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("future did not fail but threw " + e, e);
        }
        throw new AssertionError("future completed normally");
    }

    @Test
    void negotiatesOpenFlow15ReadsFeaturesAndAsksForPacketIn2() throws Exception {
        connect(CONFIG);
        assertThat(client.version()).isEqualTo(OfVersion.OF15);
        assertThat(client.features().datapathId()).isEqualTo(FakeSwitch.DPID);
        assertThat(client.isConnected()).isTrue();
        Hello hello = sw.next(Hello.class);
        assertThat(hello.bitmapVersions()).containsExactly(4, 6);
        assertThat(sw.next(FeaturesRequest.class)).isNotNull();
        assertThat(sw.next(SetPacketInFormat.class).format()).isEqualTo(SetPacketInFormat.NXT_PACKET_IN2);
        assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTED);
        assertThat(sw.negotiated()).isEqualTo(OfVersion.OF15);
    }

    @Test
    void fallsBackToOpenFlow13() throws Exception {
        sw.hello = Hello.offering(0, OfVersion.OF13);
        connect(CONFIG);
        assertThat(client.version()).isEqualTo(OfVersion.OF13);
        // Messages after the handshake use the 1.3 wire version.
        client.barrier().get(2, TimeUnit.SECONDS);
    }

    @Test
    void failsClearlyWithoutACommonVersion() throws Exception {
        sw.hello = new Hello(0, 1, new TreeSet<>(Set.of(1)), RawBytes.EMPTY);
        client = new OpenFlowClient(transport, Endpoint.unix(dir.resolve("br0.mgmt")), CONFIG);
        Throwable t = failureOf(client.connect());
        assertThat(t).isInstanceOf(OpenFlowException.class)
                .hasMessageContaining("no common OpenFlow version: we offer OpenFlow13, OpenFlow15")
                .hasMessageContaining("wire versions 0x1");
        ErrorMessage sent = sw.next(ErrorMessage.class);
        assertThat(sent.name()).isEqualTo("OFPHFC_INCOMPATIBLE");
    }

    @Test
    void connectFailsWhenNothingListens() {
        client = new OpenFlowClient(transport, Endpoint.unix(dir.resolve("missing.mgmt")), CONFIG);
        assertThat(failureOf(client.connect())).isInstanceOf(OpenFlowDisconnectedException.class)
                .hasMessageContaining("cannot connect to unix:" + dir.resolve("missing.mgmt"));
    }

    @Test
    void correlatesRepliesByXidEvenOutOfOrder() throws Exception {
        List<OfMessage> held = new ArrayList<>();
        sw.responder = m -> {
            if (!(m instanceof EchoRequest)) {
                return null;
            }
            held.add(m);
            if (held.size() < 3) {
                return List.of();
            }
            List<OfMessage> replies = new ArrayList<>();
            for (int i = held.size() - 1; i >= 0; i--) {
                EchoRequest e = (EchoRequest) held.get(i);
                replies.add(new EchoReply(e.xid(), e.data()));
            }
            return replies;
        };
        connect(CONFIG);
        List<CompletableFuture<OfMessage>> futures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            futures.add(client.request(new EchoRequest(0, RawBytes.of((byte) i))));
        }
        for (int i = 0; i < 3; i++) {
            OfMessage reply = futures.get(i).get(5, TimeUnit.SECONDS);
            assertThat(((EchoReply) reply).data()).isEqualTo(RawBytes.of((byte) i));
        }
    }

    @Test
    void requestTimesOutWhenTheSwitchIsSilent() throws Exception {
        sw.responder = m -> m instanceof BarrierRequest ? List.of() : null;
        connect(CONFIG.withRequestTimeout(Duration.ofMillis(300)));
        long start = System.nanoTime();
        Throwable t = failureOf(client.barrier());
        assertThat(t).isInstanceOf(OpenFlowTimeoutException.class)
                .hasMessageContaining("no reply to BARRIER_REQUEST").hasMessageContaining("within 300 ms");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(250L, 3000L);
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    void switchErrorFailsTheMatchingRequestWithReadableText() throws Exception {
        sw.responder = m -> m instanceof GroupStatsRequest
                ? List.of(ErrorMessage.standard(m.xid(), 1, 2, RawBytes.of(new byte[] {6, 18, 0, 16, 0, 0, 0, 9})))
                : null;
        connect(CONFIG);
        Throwable t = failureOf(client.dumpGroupStats());
        assertThat(t).isInstanceOf(OpenFlowErrorException.class)
                .hasMessageContaining("OFPBRC_BAD_MULTIPART: multipart type not supported")
                .hasMessageContaining("in reply to MULTIPART_REQUEST");
        assertThat(((OpenFlowErrorException) t).error().type()).isEqualTo(1);
    }

    @Test
    void flowModFailsWithTheErrorOvsSentForIt() throws Exception {
        sw.responder = m -> {
            if (m instanceof FlowMod) {
                // OFPBAC_BAD_OUT_GROUP echoing the first 64 bytes of the request, as OVS does.
                byte[] req = io.trellis.ovs.openflow.message.CodecAccess.encode(m, OfVersion.OF15);
                return List.of(ErrorMessage.standard(m.xid(), 2, 9,
                        RawBytes.of(java.util.Arrays.copyOf(req, Math.min(64, req.length)))));
            }
            return null;
        };
        connect(CONFIG);
        FlowMod flow = FlowMod.add(8, 1, Match.ANY, List.of());
        Throwable t = failureOf(client.flowMod(flow));
        assertThat(t).isInstanceOf(OpenFlowErrorException.class)
                .hasMessageContaining("OFPBAC_BAD_OUT_GROUP")
                .hasMessageContaining("FLOW_MOD xid=")
                .hasMessageContaining("add table=8 priority=1");
        // A batch without errors completes once the barrier is answered.
        sw.responder = m -> null;
        client.flowMods(List.of(flow, flow, flow)).get(5, TimeUnit.SECONDS);
    }

    @Test
    void multipartRepliesAreCollectedUntilMoreIsClear() throws Exception {
        sw.responder = m -> m instanceof GroupStatsRequest ? List.of(
                new GroupStatsReply(m.xid(), MultipartReply.REPLY_MORE, List.of(stats(1), stats(2))),
                new GroupStatsReply(m.xid(), MultipartReply.REPLY_MORE, List.of(stats(3))),
                new GroupStatsReply(m.xid(), 0, List.of(stats(4)))) : null;
        connect(CONFIG);
        List<GroupStats> all = client.dumpGroupStats().get(5, TimeUnit.SECONDS);
        assertThat(all).extracting(GroupStats::groupId).containsExactly(1, 2, 3, 4);
    }

    @Test
    void anUndecodableReplyFailsItsRequestWithTheReasonInsteadOfTimingOut() throws Exception {
        sw.responder = m -> {
            if (m instanceof GroupStatsRequest) {
                // OF1.5 multipart reply, OFPMP_GROUP_STATS, whose one entry claims a length of 4 bytes.
                byte[] reply = {6, 19, 0, 24, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 1};
                java.nio.ByteBuffer.wrap(reply).putInt(4, m.xid());
                sw.connection.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(reply));
                return List.of();
            }
            return null;
        };
        connect(CONFIG.withRequestTimeout(Duration.ofSeconds(30)));
        long start = System.nanoTime();
        Throwable t = failureOf(client.dumpGroupStats());
        assertThat(t).isInstanceOf(OpenFlowException.class).hasMessageContaining("cannot decode the reply");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(10);
        // Framing was intact: the connection still works.
        client.barrier().get(5, TimeUnit.SECONDS);
    }

    private static GroupStats stats(int groupId) {
        return new GroupStats(groupId, 1, groupId * 10L, groupId * 1000L, 1, 0, List.of());
    }

    @Test
    void bundleOpensAddsEachMessageAndCommitsAtomically() throws Exception {
        connect(CONFIG);
        List<FlowMod> flows = List.of(FlowMod.add(9, 10, Match.ANY, List.of()), FlowMod.add(9, 11, Match.ANY, List.of()));
        client.bundle(flows).get(5, TimeUnit.SECONDS);
        BundleControl open = sw.next(BundleControl.class);
        assertThat(open.type()).isEqualTo(BundleControlType.OPEN_REQUEST);
        assertThat(open.flags()).isEqualTo(BundleControl.ATOMIC | BundleControl.ORDERED);
        BundleAdd add1 = sw.next(BundleAdd.class);
        BundleAdd add2 = sw.next(BundleAdd.class);
        assertThat(List.of(add1, add2)).allSatisfy(a -> {
            assertThat(a.bundleId()).isEqualTo(open.bundleId());
            assertThat(a.message().xid()).isEqualTo(a.xid());
        });
        assertThat(((FlowMod) add2.message()).priority()).isEqualTo(11);
        BundleControl commit = sw.next(BundleControl.class);
        assertThat(commit.type()).isEqualTo(BundleControlType.COMMIT_REQUEST);
        assertThat(commit.flags()).isEqualTo(BundleControl.ATOMIC | BundleControl.ORDERED);
    }

    @Test
    void bundleWithARefusedMessageIsDiscardedAndReportsThatMessagesError() throws Exception {
        List<BundleAdd> adds = new ArrayList<>();
        sw.responder = m -> {
            if (m instanceof BundleAdd a) {
                adds.add(a);
                if (adds.size() == 2) {
                    return List.of(ErrorMessage.standard(a.xid(), 4, 9, RawBytes.EMPTY)); // OFPBMC_BAD_PREREQ
                }
                return List.of();
            }
            return null;
        };
        connect(CONFIG);
        List<FlowMod> flows = List.of(FlowMod.add(9, 10, Match.ANY, List.of()), FlowMod.add(9, 11, Match.ANY, List.of()),
                FlowMod.add(9, 12, Match.ANY, List.of()));
        Throwable t = failureOf(client.bundle(flows));
        assertThat(t).isInstanceOf(OpenFlowErrorException.class).hasMessageContaining("OFPBMC_BAD_PREREQ")
                .hasMessageContaining("discarded");
        assertThat(((OpenFlowErrorException) t).error().xid()).isEqualTo(adds.get(1).xid());
        sw.next(BundleControl.class); // open
        BundleControl second = sw.next(BundleControl.class);
        assertThat(second.type()).isEqualTo(BundleControlType.DISCARD_REQUEST);
    }

    @Test
    void failedCommitReportsTheInnerMessagesError() throws Exception {
        List<BundleAdd> adds = new ArrayList<>();
        sw.responder = m -> {
            if (m instanceof BundleAdd a) {
                adds.add(a);
                return List.of();
            }
            if (m instanceof BundleControl c && c.type() == BundleControlType.COMMIT_REQUEST) {
                // OVS: the failing message's error under its own xid, then OFPBFC_MSG_FAILED for the commit.
                return List.of(ErrorMessage.standard(adds.get(0).xid(), 6, 8, RawBytes.EMPTY),
                        ErrorMessage.standard(c.xid(), 17, 13, RawBytes.EMPTY));
            }
            return null;
        };
        connect(CONFIG);
        Throwable t = failureOf(client.bundle(List.of(FlowMod.add(0, 1, Match.ANY, List.of()))));
        assertThat(t).isInstanceOf(OpenFlowErrorException.class).hasMessageContaining("OFPGMFC_UNKNOWN_GROUP")
                .hasMessageContaining("commit failed");
    }

    @Test
    void answersEchoRequestsFromTheSwitch() throws Exception {
        connect(CONFIG);
        sw.received.clear();
        sw.send(new EchoRequest(0x77, RawBytes.fromHex("abcd")));
        EchoReply reply = sw.next(EchoReply.class);
        assertThat(reply.xid()).isEqualTo(0x77);
        assertThat(reply.data()).isEqualTo(RawBytes.fromHex("abcd"));
    }

    @Test
    void sendsEchoKeepalivesAndDropsASilentSwitch() throws Exception {
        sw.responder = m -> m instanceof EchoRequest ? List.of() : null;
        connect(CONFIG.withEchoInterval(Duration.ofMillis(200)));
        assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTED);
        assertThat(sw.next(EchoRequest.class)).isNotNull();
        assertThat(states.poll(3, TimeUnit.SECONDS)).isEqualTo(ConnectionState.DISCONNECTED);
    }

    @Test
    void keepsASilentSwitchWhileARequestIsPending() throws Exception {
        sw.responder = m -> m instanceof EchoRequest || m instanceof BarrierRequest ? List.of() : null;
        connect(CONFIG.withEchoInterval(Duration.ofMillis(150)).withRequestTimeout(Duration.ofMillis(1200)));
        assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTED);
        CompletableFuture<Void> slow = client.barrier();
        // Eight unanswered echo periods pass; the connection stays (a drop would fail the request with
        // OpenFlowDisconnectedException) until the request's own timeout, then the usual rule applies.
        assertThat(failureOf(slow)).isInstanceOf(OpenFlowTimeoutException.class);
        assertThat(sw.received.stream().filter(m -> m instanceof EchoRequest).count()).isGreaterThanOrEqualTo(3);
        assertThat(states.poll(3, TimeUnit.SECONDS)).isEqualTo(ConnectionState.DISCONNECTED);
    }

    @Test
    void deliversPacketInsToListeners() throws Exception {
        connect(CONFIG);
        BlockingQueue<PacketInMessage> packets = new LinkedBlockingQueue<>();
        client.addPacketInListener(packets::add);
        PacketIn2 pin = new PacketIn2(0, RawBytes.fromHex("0102"), OptionalInt.empty(), OptionalInt.empty(), 20, 5, 1,
                List.of(), RawBytes.fromHex("0a0b"), RawBytes.EMPTY, RawBytes.EMPTY);
        sw.send(pin);
        assertThat(packets.poll(5, TimeUnit.SECONDS)).isEqualTo(pin);
    }

    @Test
    void lostConnectionFailsPendingRequestsAndReconnects() throws Exception {
        sw.responder = m -> m instanceof BarrierRequest ? List.of() : null;
        connect(CONFIG);
        assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTED);
        CompletableFuture<Void> pending = client.barrier();
        sw.next(BarrierRequest.class);
        sw.dropConnection();
        assertThat(failureOf(pending)).isInstanceOf(OpenFlowDisconnectedException.class)
                .hasMessageContaining("connection to unix:").hasMessageContaining("lost");
        assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.DISCONNECTED);
        assertThat(states.poll(5, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTED);
        sw.responder = m -> null;
        assertThat(client.request(new BarrierRequest(0), BarrierReply.class).get(5, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void reconnectsAfterTheSwitchRestarts() throws Exception {
        connect(CONFIG);
        assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTED);
        sw.close();
        assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.DISCONNECTED);
        assertThat(failureOf(client.barrier())).isInstanceOf(OpenFlowDisconnectedException.class)
                .hasMessageContaining("not connected");
        Thread.sleep(300); // a few failed attempts with backoff
        sw = new FakeSwitch(dir.resolve("br0.mgmt"), transport.group()).start();
        assertThat(states.poll(5, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTED);
        client.barrier().get(5, TimeUnit.SECONDS);
    }

    @Test
    void closeFailsPendingRequestsAndStopsReconnecting() throws Exception {
        sw.responder = m -> m instanceof BarrierRequest ? List.of() : null;
        connect(CONFIG);
        CompletableFuture<Void> pending = client.barrier();
        sw.next(BarrierRequest.class);
        client.close();
        assertThat(failureOf(pending)).isInstanceOf(OpenFlowDisconnectedException.class);
        assertThat(client.isConnected()).isFalse();
        sw.received.clear();
        Thread.sleep(400);
        assertThat(sw.received).noneMatch(m -> m instanceof Hello);
        assertThat(failureOf(client.connect())).hasMessageContaining("closed");
    }

    @Test
    void largeBundleArrivesCompleteAndInOrder() throws Exception {
        java.util.concurrent.atomic.AtomicInteger adds = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger lastPriority = new java.util.concurrent.atomic.AtomicInteger(-1);
        java.util.concurrent.atomic.AtomicBoolean ordered = new java.util.concurrent.atomic.AtomicBoolean(true);
        sw.responder = m -> {
            if (m instanceof BundleAdd a) {
                adds.incrementAndGet();
                int p = ((FlowMod) a.message()).priority();
                if (p != lastPriority.get() + 1) {
                    ordered.set(false);
                }
                lastPriority.set(p);
                return List.of();
            }
            return null;
        };
        connect(CONFIG);
        sw.received.clear();
        List<FlowMod> flows = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            flows.add(FlowMod.add(1, i, Match.builder().ethType(0x800).build(), List.of()));
        }
        client.bundle(flows).get(30, TimeUnit.SECONDS);
        assertThat(adds.get()).isEqualTo(20_000);
        assertThat(ordered.get()).as("adds in order").isTrue();
    }

    @Test
    void featuresOfTheFakeSwitchAreTyped() throws Exception {
        connect(CONFIG);
        FeaturesReply f = client.request(new FeaturesRequest(0), FeaturesReply.class).get(5, TimeUnit.SECONDS);
        assertThat(f.nTables()).isEqualTo(254);
    }
}
