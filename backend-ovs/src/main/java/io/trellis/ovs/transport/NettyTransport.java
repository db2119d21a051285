package io.trellis.ovs.transport;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;

/**
 * One epoll event loop group shared by the OVSDB and OpenFlow clients of an agent. OVS listens
 * on Unix domain sockets, which Netty reaches through its native epoll transport.
 */
public final class NettyTransport implements AutoCloseable {

    private final EventLoopGroup group;

    public NettyTransport(int threads, String threadNamePrefix) {
        requireNonNull(threadNamePrefix, "threadNamePrefix");
        this.group = new MultiThreadIoEventLoopGroup(
                threads, new DefaultThreadFactory(threadNamePrefix, true), EpollIoHandler.newFactory());
    }

    public EventLoopGroup group() {
        return group;
    }

    /** Starts connecting; the returned future completes when the channel is connected. */
    public ChannelFuture connect(Endpoint endpoint, Duration connectTimeout, ChannelInitializer<Channel> initializer) {
        requireNonNull(endpoint, "endpoint");
        requireNonNull(initializer, "initializer");
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(endpoint instanceof Endpoint.Unix ? EpollDomainSocketChannel.class : EpollSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(initializer);
        return bootstrap.connect(endpoint.socketAddress());
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
