package io.trellis.netlink.route;

import io.trellis.netlink.NetlinkSocket;
import java.util.List;
import java.util.Objects;

/** Route operations over one rtnetlink socket. */
public final class Routes {
    private final NetlinkSocket socket;

    public Routes(NetlinkSocket socket) {
        this.socket = Objects.requireNonNull(socket, "socket");
    }

    public void add(Route route) {
        socket.request(RouteMessages.add(route));
    }

    public void replace(Route route) {
        socket.request(RouteMessages.replace(route));
    }

    public void delete(Route route) {
        socket.request(RouteMessages.delete(route));
    }

    /** Routes of the main table for one family (AF_INET or AF_INET6). */
    public List<Route> list(int family) {
        return list(family, Rtm.RT_TABLE_MAIN);
    }

    public List<Route> list(int family, int table) {
        return socket.dump(RouteMessages.dump(family)).stream()
                .filter(m -> m.type() == Rtm.RTM_NEWROUTE).map(RouteMessages::parse)
                .filter(r -> r.table() == table && r.family() == family).toList();
    }
}
