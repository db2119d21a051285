package io.trellis.spi.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.PodRef;
import java.net.InetAddress;
import java.util.List;

/** A pod on this node that a policy applies to, with its addresses (what the enforcer matches on). */
public record PolicyTarget(PodRef pod, List<InetAddress> addresses) {
    public PolicyTarget {
        requireNonNull(pod, "pod");
        addresses = List.copyOf(requireNonNull(addresses, "addresses"));
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("policy target " + pod + " has no address");
        }
    }
}
