package io.trellis.netlink.route;

import io.trellis.netlink.NetlinkSocket;
import java.util.List;
import java.util.Objects;

/** Neighbour (ARP/NDP) and FDB operations over one rtnetlink socket. */
public final class Neighbours {
    private final NetlinkSocket socket;

    public Neighbours(NetlinkSocket socket) {
        this.socket = Objects.requireNonNull(socket, "socket");
    }

    public void add(Neighbour n) {
        socket.request(NeighbourMessages.add(n));
    }

    public void replace(Neighbour n) {
        socket.request(NeighbourMessages.replace(n));
    }

    public void append(Neighbour n) {
        socket.request(NeighbourMessages.append(n));
    }

    public void delete(Neighbour n) {
        socket.request(NeighbourMessages.delete(n));
    }

    /** Entries of one family: AF_INET, AF_INET6, or AF_BRIDGE for the FDB. */
    public List<Neighbour> list(int family) {
        return socket.dump(NeighbourMessages.dump(family)).stream()
                .filter(m -> m.type() == Rtm.RTM_NEWNEIGH).map(NeighbourMessages::parse)
                .filter(n -> n.family() == family).toList();
    }
}
