package io.trellis.netlink.route;

import java.util.Objects;

/** A veth pair: the end created by the request and its peer (each may be placed in its own namespace). */
public record VethSpec(LinkSpec local, LinkSpec peer) {
    public VethSpec {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(peer, "peer");
    }
}
