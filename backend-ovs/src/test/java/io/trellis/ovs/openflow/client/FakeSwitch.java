package io.trellis.ovs.openflow.client;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.message.BarrierReply;
import io.trellis.ovs.openflow.message.BarrierRequest;
import io.trellis.ovs.openflow.message.BundleControl;
import io.trellis.ovs.openflow.message.FeaturesReply;
import io.trellis.ovs.openflow.message.FeaturesRequest;
import io.trellis.ovs.openflow.message.Hello;
import io.trellis.ovs.openflow.message.OfMessage;
import io.trellis.ovs.openflow.message.OfMessageDecoder;
import io.trellis.ovs.openflow.message.OfMessageEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * An in-process OpenFlow "switch" on a Unix socket, speaking through the real codecs. It sends
 * {@link #hello} on accept, answers features, barrier and bundle-control requests, and lets tests
 * script other answers with {@link #responder}. Everything received is queued in {@link #received}.
 */
final class FakeSwitch implements AutoCloseable {

    static final long DPID = 0x0000aabbccddeeffL;

    private final Path socket;
    private final EventLoopGroup group;
    final BlockingQueue<OfMessage> received = new LinkedBlockingQueue<>();
    volatile Hello hello = Hello.offering(0, OfVersion.OF13, OfVersion.OF15);
    /** Returns the replies for a message, or null to use the default answers. */
    volatile Function<OfMessage, List<OfMessage>> responder = m -> null;
    volatile Channel connection;
    private volatile OfVersion negotiated = OfVersion.OF15;
    private Channel server;

    FakeSwitch(Path socket, EventLoopGroup group) {
        this.socket = socket;
        this.group = group;
    }

    FakeSwitch start() throws InterruptedException {
        try {
            Files.deleteIfExists(socket);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        server = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        OfMessageEncoder encoder = new OfMessageEncoder(OfVersion.OF15);
                        ch.pipeline().addLast(new OfMessageDecoder(), encoder, new Handler(encoder));
                    }
                }).bind(new DomainSocketAddress(socket.toString())).sync().channel();
        return this;
    }

    OfVersion negotiated() {
        return negotiated;
    }

    /** Sends a message from the switch on the current connection. */
    void send(OfMessage m) {
        connection.writeAndFlush(m).syncUninterruptibly();
    }

    void dropConnection() {
        Channel c = connection;
        if (c != null) {
            c.close().syncUninterruptibly();
        }
    }

    /** Next received message of the given type, skipping others; fails after 5 s. */
    <T extends OfMessage> T next(Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            OfMessage m = received.poll(100, TimeUnit.MILLISECONDS);
            if (type.isInstance(m)) {
                return type.cast(m);
            }
        }
        throw new AssertionError("fake switch received no " + type.getSimpleName() + " within 5 s");
    }

    @Override
    public void close() {
        dropConnection();
        if (server != null) {
            server.close().syncUninterruptibly();
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<OfMessage> {
        private final OfMessageEncoder encoder;

        Handler(OfMessageEncoder encoder) {
            this.encoder = encoder;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connection = ctx.channel();
            ctx.writeAndFlush(hello);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, OfMessage m) {
            received.add(m);
            if (m instanceof Hello h) {
                h.negotiate(OfVersion.values()).filter(v -> hello.supports(v.wireVersion())).ifPresent(v -> {
                    negotiated = v;
                    encoder.version(v);
                });
                return;
            }
            List<OfMessage> scripted = responder.apply(m);
            if (scripted != null) {
                scripted.forEach(ctx::write);
                ctx.flush();
                return;
            }
            if (m instanceof FeaturesRequest) {
                ctx.writeAndFlush(new FeaturesReply(m.xid(), DPID, 0, 254, 0, 0x4f, 0));
            } else if (m instanceof BarrierRequest) {
                ctx.writeAndFlush(new BarrierReply(m.xid()));
            } else if (m instanceof BundleControl c && c.type().isRequest()) {
                ctx.writeAndFlush(BundleControl.of(c.xid(), c.bundleId(), c.type().reply(), 0));
            }
        }
    }
}
