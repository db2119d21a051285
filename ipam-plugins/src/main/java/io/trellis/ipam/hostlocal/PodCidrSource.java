package io.trellis.ipam.hostlocal;

import io.trellis.spi.model.IpPrefix;
import java.util.List;

/**
 * Where the host-local driver learns the node's pod CIDRs: the agent backs it with the Node object
 * ({@code spec.podCIDRs}, or {@code spec.podCIDR}) or its configuration. Asked on every allocation, so it must be
 * cheap; it may start empty and fill in later.
 */
@FunctionalInterface
public interface PodCidrSource {

    /** The node's pod CIDRs, at most one per family; empty while the node has none yet. */
    List<IpPrefix> podCidrs();

    /** A source that always answers the same CIDRs (a statically configured node, tests). */
    static PodCidrSource fixed(List<IpPrefix> cidrs) {
        List<IpPrefix> list = List.copyOf(cidrs);
        return () -> list;
    }

    /** {@link #fixed(List)} of parsed {@code ADDRESS/PREFIX} strings. */
    static PodCidrSource fixed(String... cidrs) {
        return fixed(java.util.Arrays.stream(cidrs).map(IpPrefix::parse).toList());
    }
}
