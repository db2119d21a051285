package io.trellis.netlink.route;

import io.trellis.netlink.NetlinkSocket;
import java.util.Objects;
import java.util.Optional;

/** Bridge port settings over one rtnetlink socket (so for ports in that socket's network namespace). */
public final class BridgePorts {
    private final NetlinkSocket socket;
    private final Links links;

    public BridgePorts(NetlinkSocket socket) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.links = new Links(socket);
    }

    /** Turns hairpin mode of the bridge port {@code port} on or off; fails when it is not a bridge port. */
    public void setHairpin(String port, boolean on) {
        socket.request(BridgePortMessages.setHairpin(links.require(port).index(), on));
    }

    /** Whether hairpin mode is on; empty when {@code port} is not a bridge port. */
    public Optional<Boolean> hairpin(String port) {
        return BridgePortMessages.hairpin(links.require(port));
    }
}
