package io.trellis.netlink.route;

import io.trellis.netlink.NetlinkSocket;
import java.util.List;
import java.util.Objects;

/** Address operations over one rtnetlink socket. */
public final class Addresses {
    private final NetlinkSocket socket;

    public Addresses(NetlinkSocket socket) {
        this.socket = Objects.requireNonNull(socket, "socket");
    }

    public void add(Address address) {
        socket.request(AddressMessages.add(address));
    }

    public void add(int index, IpPrefix prefix) {
        add(Address.of(index, prefix));
    }

    public void delete(Address address) {
        socket.request(AddressMessages.delete(address));
    }

    public void delete(int index, IpPrefix prefix) {
        delete(Address.of(index, prefix));
    }

    /** All addresses of both families. */
    public List<Address> list() {
        return list(Rtm.AF_UNSPEC);
    }

    public List<Address> list(int family) {
        return socket.dump(AddressMessages.dump(family)).stream()
                .filter(m -> m.type() == Rtm.RTM_NEWADDR).map(AddressMessages::parse)
                .filter(a -> family == Rtm.AF_UNSPEC || a.family() == family).toList();
    }

    public List<Address> listOn(int index) {
        return list().stream().filter(a -> a.index() == index).toList();
    }
}
