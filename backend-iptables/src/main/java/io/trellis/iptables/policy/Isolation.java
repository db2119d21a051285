package io.trellis.iptables.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.PodRef;
import io.trellis.spi.policy.Direction;
import java.net.Inet4Address;

/** A pod address isolated in one direction, with the pod it belongs to (statistics, comments). */
record Isolation(Inet4Address address, Direction direction, PodRef pod) {
    Isolation {
        requireNonNull(address, "address");
        requireNonNull(direction, "direction");
        requireNonNull(pod, "pod");
    }

    String chain() {
        return PolicyNames.podChain(direction, address);
    }
}
