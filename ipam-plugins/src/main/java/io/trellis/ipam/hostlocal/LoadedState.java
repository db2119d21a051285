package io.trellis.ipam.hostlocal;

import static java.util.Objects.requireNonNull;

import io.trellis.ipam.cidr.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a state dir holds after a successful load: the allocations, the round-robin cursor per CIDR, and the
 * addresses named by files kept aside as corrupt, which stay out of use because their owner is unknown.
 */
record LoadedState(List<StoredAllocation> allocations, Map<Cidr, InetAddress> lastReserved, Set<InetAddress> reservedByCorruptFiles) {
    LoadedState {
        allocations = List.copyOf(requireNonNull(allocations, "allocations"));
        lastReserved = Map.copyOf(requireNonNull(lastReserved, "lastReserved"));
        reservedByCorruptFiles = Set.copyOf(requireNonNull(reservedByCorruptFiles, "reservedByCorruptFiles"));
    }
}
