package io.trellis.ovs.service;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.match.MatchField;
import io.trellis.ovs.openflow.match.OxmFields;
import io.trellis.ovs.openflow.message.OfConstants;
import io.trellis.ovs.openflow.message.PacketIn2;
import io.trellis.ovs.openflow.message.PacketInMessage;
import io.trellis.ovs.openflow.message.PacketOut;
import io.trellis.ovs.openflow.message.RawBytes;
import io.trellis.ovs.pipeline.ServiceFlows;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses connections to Service frontends without endpoints: OVS cannot make a TCP RST or an ICMP
 * error itself, so {@link ServiceFlows} sends such a connection's first packet to the controller
 * (NXT_PACKET_IN2 with {@link ServiceFlows#rejectUserdata()}), and this listener answers with the
 * packet-out of {@link RejectReplies#replyTo}, straight to the port the packet came in on (the
 * client's pod port or the gateway), past the pipeline: the answer belongs to no connection
 * conntrack should learn.
 *
 * <p>A token bucket ({@link #DEFAULT_PER_SECOND}/s, burst {@link #DEFAULT_BURST}) bounds the
 * answers; packets beyond it are dropped unanswered (the client then times out, as without
 * reject), so a flood to an empty Service costs the agent little. Runs on the OpenFlow client's
 * event loop and does not block.
 */
public final class ServiceRejector implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceRejector.class);
    public static final double DEFAULT_PER_SECOND = 100;
    public static final int DEFAULT_BURST = 50;

    private final OpenFlowClient client;
    private final ServiceFlows flows;
    private final TokenBucket limit;
    private final Consumer<PacketInMessage> listener = this::onPacketIn;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong limited = new AtomicLong();
    private final AtomicLong unanswerable = new AtomicLong();

    ServiceRejector(OpenFlowClient client, ServiceFlows flows, TokenBucket limit) {
        this.client = requireNonNull(client, "client");
        this.flows = requireNonNull(flows, "flows");
        this.limit = requireNonNull(limit, "limit");
    }

    /** Starts answering the reject packet-ins {@code client} receives, at the default rate. */
    public static ServiceRejector attach(OpenFlowClient client, ServiceFlows flows) {
        return attach(client, flows, DEFAULT_PER_SECOND, DEFAULT_BURST);
    }

    /** Starts answering the reject packet-ins {@code client} receives, at most {@code perSecond} (burst {@code burst}). */
    public static ServiceRejector attach(OpenFlowClient client, ServiceFlows flows, double perSecond, int burst) {
        ServiceRejector rejector = new ServiceRejector(client, flows, new TokenBucket(perSecond, burst, System::nanoTime));
        client.addPacketInListener(rejector.listener);
        return rejector;
    }

    /** Answers sent so far. */
    public long answered() {
        return answered.get();
    }

    /** Reject packet-ins dropped by the rate limit so far. */
    public long limited() {
        return limited.get();
    }

    /** Reject packet-ins that deserved no answer (not TCP/UDP over IPv4, a RST, truncated, no in_port). */
    public long unanswerable() {
        return unanswerable.get();
    }

    void onPacketIn(PacketInMessage message) {
        if (!(message instanceof PacketIn2 packetIn) || !flows.isReject(packetIn.userdata().toArray())) {
            return;
        }
        if (!limit.tryTake()) {
            if (limited.incrementAndGet() % 1000 == 1) {
                LOG.warn("service reject: rate limit reached, {} packets left unanswered so far", limited.get());
            }
            return;
        }
        OptionalLong inPort = inPort(packetIn);
        Optional<byte[]> reply = RejectReplies.replyTo(packetIn.packet().toArray());
        if (inPort.isEmpty() || reply.isEmpty()) {
            unanswerable.incrementAndGet();
            LOG.debug("service reject: no answer to a packet from port {}", inPort);
            return;
        }
        PacketOut out = PacketOut.of(OfConstants.PORT_CONTROLLER, List.of(Action.Output.to(inPort.getAsLong())),
                RawBytes.of(reply.get()));
        client.packetOut(out).whenComplete((ok, error) -> {
            if (error != null) {
                LOG.debug("service reject: packet-out to port {} failed: {}", inPort.getAsLong(), error.getMessage());
            }
        });
        answered.incrementAndGet();
    }

    /** The packet's in_port from the packet-in's metadata, as OXM (32 bits) or NXM (16 bits). */
    private static OptionalLong inPort(PacketIn2 packetIn) {
        for (MatchField f : packetIn.metadata()) {
            if (f.field().equals(OxmFields.IN_PORT) || f.field().equals(OxmFields.NXM_OF_IN_PORT)) {
                return OptionalLong.of(f.valueAsLong());
            }
        }
        return OptionalLong.empty();
    }

    /** Stops answering. */
    @Override
    public void close() {
        client.removePacketInListener(listener);
    }
}
