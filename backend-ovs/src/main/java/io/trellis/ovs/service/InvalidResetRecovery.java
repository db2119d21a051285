package io.trellis.ovs.service;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.message.CtFlush;
import io.trellis.ovs.openflow.message.PacketIn2;
import io.trellis.ovs.openflow.message.PacketInMessage;
import io.trellis.ovs.pipeline.ServiceFlows;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the conntrack entry of a TCP connection whose client sent a reset conntrack called
 * invalid ({@link ServiceFlows#invalidResetMatch()} explains when and why): the pipeline has let
 * the reset through and sends a copy here (NXT_PACKET_IN2 with
 * {@link ServiceFlows#invalidResetUserdata()}); this listener sends NXT_CT_FLUSH for the entry
 * whose reply tuple is the reset's own tuple reversed (the reset as the controller sees it, after
 * the connection's NAT, travels from the client's port as the endpoint knows it to the endpoint).
 * The client's next SYN (Linux sends one milliseconds after its reset; if that was faster than
 * this listener, the retransmission a second later) then opens a fresh entry.
 *
 * <p>A reset of the reply direction reversed names no entry's reply tuple, so nothing is deleted
 * for it. A token bucket ({@link #DEFAULT_PER_SECOND}/s, burst {@link #DEFAULT_BURST}) bounds the
 * flushes a pod sending invalid resets can cause. Runs on the OpenFlow client's event loop and
 * does not block.
 */
public final class InvalidResetRecovery implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InvalidResetRecovery.class);
    public static final double DEFAULT_PER_SECOND = 100;
    public static final int DEFAULT_BURST = 50;

    private final OpenFlowClient client;
    private final Function<CtFlush, CompletableFuture<Void>> flusher;
    private final ServiceFlows flows;
    private final TokenBucket limit;
    private final Consumer<PacketInMessage> listener = this::onPacketIn;
    private final AtomicLong flushed = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();

    /**
     * @param client  the connection whose packet-ins {@link #attach} registers this on
     * @param flusher sends a flush and completes when OVS has done it
     */
    InvalidResetRecovery(OpenFlowClient client, Function<CtFlush, CompletableFuture<Void>> flusher, ServiceFlows flows,
            TokenBucket limit) {
        this.client = requireNonNull(client, "client");
        this.flusher = requireNonNull(flusher, "flusher");
        this.flows = requireNonNull(flows, "flows");
        this.limit = requireNonNull(limit, "limit");
    }

    /** Starts handling the invalid-reset packet-ins {@code client} receives, at the default rate. */
    public static InvalidResetRecovery attach(OpenFlowClient client, ServiceFlows flows) {
        InvalidResetRecovery recovery = new InvalidResetRecovery(client, f -> client.sendConfirmed(List.of(f)), flows,
                new TokenBucket(DEFAULT_PER_SECOND, DEFAULT_BURST, System::nanoTime));
        client.addPacketInListener(recovery.listener);
        return recovery;
    }

    /** Entries deleted so far (flushes OVS confirmed). */
    public long flushed() {
        return flushed.get();
    }

    /** Invalid-reset packet-ins left alone: over the rate limit, or not an IPv4 TCP reset. */
    public long ignored() {
        return ignored.get();
    }

    void onPacketIn(PacketInMessage message) {
        if (!(message instanceof PacketIn2 packetIn) || !flows.isInvalidReset(packetIn.userdata().toArray())) {
            return;
        }
        Optional<TcpTuple> reset = TcpTuple.ofReset(packetIn.packet().toArray());
        if (reset.isEmpty() || !limit.tryTake()) {
            if (ignored.incrementAndGet() % 1000 == 1) {
                LOG.warn("invalid TCP resets: {} left alone so far (rate limit or unreadable)", ignored.get());
            }
            return;
        }
        TcpTuple reply = reset.get().reversed();
        LOG.debug("invalid TCP reset {}: deleting the conntrack entry with reply tuple {}", reset.get(), reply);
        CtFlush flush = flows.flushTcpByReply(reply.src(), reply.srcPort(), reply.dst(), reply.dstPort());
        flusher.apply(flush).whenComplete((ok, error) -> {
            if (error != null) {
                LOG.warn("deleting the conntrack entry with reply tuple {} failed: {}", reply, error.getMessage());
            } else {
                flushed.incrementAndGet();
            }
        });
    }

    /** Stops handling. */
    @Override
    public void close() {
        client.removePacketInListener(listener);
    }

    /** One direction of a TCP connection. */
    record TcpTuple(InetAddress src, int srcPort, InetAddress dst, int dstPort) {

        private static final int ETH_HEADER = 14;

        TcpTuple {
            requireNonNull(src, "src");
            requireNonNull(dst, "dst");
            if (srcPort < 0 || srcPort > 0xffff || dstPort < 0 || dstPort > 0xffff) {
                throw new IllegalArgumentException("ports: " + srcPort + ", " + dstPort + " out of range 0..65535");
            }
        }

        TcpTuple reversed() {
            return new TcpTuple(dst, dstPort, src, srcPort);
        }

        /** The tuple of an Ethernet frame holding an unfragmented IPv4 TCP segment with RST, if it is one. */
        static Optional<TcpTuple> ofReset(byte[] frame) {
            if (frame.length < ETH_HEADER + 20 || u16(frame, 12) != RejectReplies.ETH_TYPE_IPV4) {
                return Optional.empty();
            }
            int ip = ETH_HEADER;
            int ihl = (frame[ip] & 0x0f) * 4;
            boolean fragment = (u16(frame, ip + 6) & 0x1fff) != 0;
            int l4 = ip + ihl;
            if ((frame[ip] & 0xf0) != 0x40 || ihl < 20 || fragment || (frame[ip + 9] & 0xff) != RejectReplies.PROTO_TCP
                    || frame.length < l4 + 14 || (frame[l4 + 13] & RejectReplies.TCP_RST) == 0) {
                return Optional.empty();
            }
            return Optional.of(new TcpTuple(address(frame, ip + 12), u16(frame, l4), address(frame, ip + 16),
                    u16(frame, l4 + 2)));
        }

        private static InetAddress address(byte[] frame, int offset) {
            try {
                return InetAddress.getByAddress(Arrays.copyOfRange(frame, offset, offset + 4));
            } catch (UnknownHostException e) {
                throw new IllegalStateException("4 bytes are an IPv4 address", e);
            }
        }

        private static int u16(byte[] b, int offset) {
            return ((b[offset] & 0xff) << 8) | (b[offset + 1] & 0xff);
        }

        @Override
        public String toString() {
            return src.getHostAddress() + ":" + srcPort + " -> " + dst.getHostAddress() + ":" + dstPort;
        }
    }
}
