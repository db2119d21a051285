package io.trellis.ovs.openflow.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import io.trellis.ovs.openflow.OfCodecException;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.message.EchoReply;
import io.trellis.ovs.openflow.message.EchoRequest;
import io.trellis.ovs.openflow.message.ErrorMessage;
import io.trellis.ovs.openflow.message.FeaturesReply;
import io.trellis.ovs.openflow.message.FeaturesRequest;
import io.trellis.ovs.openflow.message.Hello;
import io.trellis.ovs.openflow.message.OfMessage;
import io.trellis.ovs.openflow.message.OfMessageEncoder;
import io.trellis.ovs.openflow.message.RawBytes;
import io.trellis.ovs.openflow.message.MalformedMessageException;
import io.trellis.ovs.openflow.message.OfConstants;
import io.trellis.ovs.openflow.message.SetConfig;
import io.trellis.ovs.openflow.message.SetPacketInFormat;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OpenFlow connection: sends the hello, negotiates the version (OpenFlow 1.5.1 section 7.5.1:
 * highest version in both bitmaps), asks for features (and NXT_PACKET_IN2 if configured), answers
 * echo requests, sends echo keepalives when the switch is silent, and hands every other message
 * to the client once established.
 */
final class OpenFlowChannelHandler extends SimpleChannelInboundHandler<OfMessage> {

    private static final Logger LOG = LoggerFactory.getLogger(OpenFlowChannelHandler.class);

    /** What the handler reports to its client. All calls happen on the channel's event loop. */
    interface Listener {
        void established(Channel channel, OfVersion version, FeaturesReply features);

        void message(OfMessage message);

        /** A message from the switch could not be decoded; the framing is intact. */
        void malformed(MalformedMessageException error);

        /** The channel closed; {@code handshakeFailure} is set when it never got established. */
        void closed(Channel channel, boolean wasEstablished, Throwable handshakeFailure);
    }

    private enum State { HELLO_SENT, FEATURES_REQUESTED, ESTABLISHED }

    private final OpenFlowClientConfig config;
    private final OfMessageEncoder encoder;
    private final IntSupplier xids;
    private final BooleanSupplier requestsPending;
    private final Listener listener;
    private final String peer;

    private State state = State.HELLO_SENT;
    private int featuresXid;
    private boolean echoOutstanding;
    private Throwable handshakeFailure;
    private ScheduledFuture<?> handshakeTimer;

    OpenFlowChannelHandler(OpenFlowClientConfig config, OfMessageEncoder encoder, IntSupplier xids,
            BooleanSupplier requestsPending, Listener listener, String peer) {
        this.config = config;
        this.encoder = encoder;
        this.xids = xids;
        this.requestsPending = requestsPending;
        this.listener = listener;
        this.peer = peer;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        OfVersion[] offered = config.versions().toArray(new OfVersion[0]);
        ctx.writeAndFlush(Hello.offering(xids.getAsInt(), offered));
        handshakeTimer = ctx.executor().schedule(() -> failHandshake(ctx, new OpenFlowTimeoutException(
                "OpenFlow handshake with " + peer + " did not finish within " + config.requestTimeout().toMillis()
                        + " ms (state " + state + ")")), config.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, OfMessage msg) {
        echoOutstanding = false;
        if (msg instanceof EchoRequest echo) {
            ctx.writeAndFlush(new EchoReply(echo.xid(), echo.data()));
            return;
        }
        switch (state) {
            case HELLO_SENT -> onHello(ctx, msg);
            case FEATURES_REQUESTED -> onFeatures(ctx, msg);
            case ESTABLISHED -> listener.message(msg);
        }
    }

    private void onHello(ChannelHandlerContext ctx, OfMessage msg) {
        if (msg instanceof ErrorMessage error) {
            failHandshake(ctx, new OpenFlowErrorException("OpenFlow handshake with " + peer + " failed", error));
            return;
        }
        if (!(msg instanceof Hello hello)) {
            failHandshake(ctx, new OpenFlowException("OpenFlow handshake with " + peer + ": expected HELLO, got " + msg));
            return;
        }
        Optional<OfVersion> version = hello.negotiate(config.versions().toArray(new OfVersion[0]));
        if (version.isEmpty()) {
            String ours = config.versions().stream().map(OfVersion::ovsName).collect(Collectors.joining(", "));
            String theirs = hello.bitmapVersions().isEmpty() ? "up to wire version 0x"
                    + Integer.toHexString(hello.headerVersion()) : "wire versions " + hello.bitmapVersions().stream()
                    .map(v -> "0x" + Integer.toHexString(v)).collect(Collectors.joining(", "));
            String text = "no common OpenFlow version: we offer " + ours + ", " + peer + " offers " + theirs;
            // Section 7.5.1: tell the peer with OFPET_HELLO_FAILED / OFPHFC_INCOMPATIBLE, then close.
            ctx.writeAndFlush(ErrorMessage.standard(hello.xid(), 0, 0,
                    RawBytes.of(text.getBytes(StandardCharsets.US_ASCII))));
            failHandshake(ctx, new OpenFlowException(text));
            return;
        }
        encoder.version(version.get());
        featuresXid = xids.getAsInt();
        state = State.FEATURES_REQUESTED;
        ctx.write(new FeaturesRequest(featuresXid));
        if (config.packetIn2()) {
            ctx.write(new SetPacketInFormat(xids.getAsInt(), SetPacketInFormat.NXT_PACKET_IN2));
        }
        // OVS treats connections on <bridge>.mgmt as service connections and sends them no
        // asynchronous messages (packet-ins included) until they set a non-zero miss_send_len
        // (connmgr.c, ofconn_receives_async_msg); ovs-ofctl monitor does the same.
        ctx.write(new SetConfig(xids.getAsInt(), 0, OfConstants.CML_NO_BUFFER));
        ctx.flush();
    }

    private void onFeatures(ChannelHandlerContext ctx, OfMessage msg) {
        if (msg instanceof FeaturesReply features && features.xid() == featuresXid) {
            state = State.ESTABLISHED;
            if (handshakeTimer != null) {
                handshakeTimer.cancel(false);
            }
            listener.established(ctx.channel(), encoder.version(), features);
            return;
        }
        if (msg instanceof ErrorMessage error) {
            if (error.xid() == featuresXid) {
                failHandshake(ctx, new OpenFlowErrorException("features request to " + peer + " failed", error));
            } else {
                // e.g. a switch without NXT_SET_PACKET_IN_FORMAT: not fatal, standard packet-ins still work.
                LOG.warn("OpenFlow {}: error during handshake: {}", peer, error.text());
            }
            return;
        }
        LOG.debug("OpenFlow {}: ignoring {} before the features reply", peer, msg);
    }

    private void failHandshake(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.ESTABLISHED || handshakeFailure != null) {
            return;
        }
        handshakeFailure = cause;
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            if (echoOutstanding && requestsPending.getAsBoolean()) {
                // OVS answers nothing while it commits a large bundle; the requests' own timeouts
                // bound that wait, so keep the connection and ask again.
                LOG.debug("OpenFlow {}: switch busy (requests pending), echo unanswered so far", peer);
                ctx.writeAndFlush(new EchoRequest(xids.getAsInt(), RawBytes.EMPTY));
            } else if (echoOutstanding) {
                LOG.warn("OpenFlow {}: no message for {} ms after an echo request; closing the connection", peer,
                        config.echoInterval().toMillis());
                ctx.close();
            } else if (state == State.ESTABLISHED) {
                echoOutstanding = true;
                ctx.writeAndFlush(new EchoRequest(xids.getAsInt(), RawBytes.EMPTY));
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        boolean established = state == State.ESTABLISHED;
        Throwable failure = handshakeFailure;
        if (!established && failure == null) {
            failure = new OpenFlowDisconnectedException("connection to " + peer + " closed during the OpenFlow handshake");
        }
        listener.closed(ctx.channel(), established, failure);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedFrameException) {
            LOG.error("OpenFlow {}: {}; closing the connection", peer, cause.getMessage());
            failHandshake(ctx, cause);
            ctx.close();
        } else if (cause instanceof MalformedMessageException malformed) {
            // One malformed message; framing is intact, so the connection stays up, and the
            // request it answered (if any) fails with the reason rather than timing out.
            LOG.error("OpenFlow {}: cannot decode a message: {}", peer, cause.getMessage());
            listener.malformed(malformed);
        } else if (cause instanceof OfCodecException || cause.getCause() instanceof OfCodecException) {
            LOG.error("OpenFlow {}: cannot encode a message: {}", peer, cause.getMessage());
        } else {
            LOG.warn("OpenFlow {}: {}; closing the connection", peer, cause.toString());
            failHandshake(ctx, cause);
            ctx.close();
        }
    }
}
