package io.trellis.netlink.route;

import io.trellis.netlink.NetlinkSocket;
import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import java.util.Objects;

/**
 * rtnetlink (NETLINK_ROUTE) in one network namespace: links, addresses, routes and neighbours over one socket. The
 * namespace is fixed when the socket is opened.
 */
public final class RtNetlink implements AutoCloseable {
    private final NetlinkSocket socket;
    private final Links links;
    private final Addresses addresses;
    private final Routes routes;
    private final Neighbours neighbours;
    private final BridgePorts bridgePorts;

    public RtNetlink(NetlinkSocket socket) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.links = new Links(socket);
        this.addresses = new Addresses(socket);
        this.routes = new Routes(socket);
        this.neighbours = new Neighbours(socket);
        this.bridgePorts = new BridgePorts(socket);
    }

    /** In the calling thread's namespace. */
    public static RtNetlink open(Syscalls sys) {
        return new RtNetlink(NetlinkSocket.openRoute(sys));
    }

    /** Inside {@code namespace}: the socket is created there, so every request applies there. */
    public static RtNetlink openIn(Syscalls sys, NamespaceSwitcher switcher, NetNamespace namespace) {
        return new RtNetlink(NetlinkSocket.openRouteIn(sys, switcher, namespace));
    }

    public Links links() {
        return links;
    }

    public Addresses addresses() {
        return addresses;
    }

    public Routes routes() {
        return routes;
    }

    public Neighbours neighbours() {
        return neighbours;
    }

    public BridgePorts bridgePorts() {
        return bridgePorts;
    }

    @Override
    public void close() {
        socket.close();
    }
}
