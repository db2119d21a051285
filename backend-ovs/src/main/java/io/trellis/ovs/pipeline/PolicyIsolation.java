package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.policy.Direction;
import java.net.Inet4Address;

/** A local pod address isolated in one direction: what no rule allows there is dropped. */
public record PolicyIsolation(Inet4Address pod, Direction direction) {
    public PolicyIsolation {
        requireNonNull(pod, "pod");
        requireNonNull(direction, "direction");
    }
}
