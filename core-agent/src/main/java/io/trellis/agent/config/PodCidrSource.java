package io.trellis.agent.config;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.IpPrefix;
import java.util.List;

/** Where the node's pod CIDRs come from ({@code network.podCidr}). */
public sealed interface PodCidrSource {

    /** The Node object's {@code spec.podCIDRs}, assigned by the controller; the agent waits for it at start. */
    record NodeSpec() implements PodCidrSource {
        @Override
        public String toString() {
            return "node-spec";
        }
    }

    /** Ranges fixed in the configuration (single-node setups, labs): one per IP family. */
    record Fixed(List<IpPrefix> cidrs) implements PodCidrSource {
        public Fixed {
            cidrs = List.copyOf(requireNonNull(cidrs, "cidrs"));
            if (cidrs.isEmpty() || cidrs.size() > 2
                    || cidrs.stream().map(IpPrefix::isIpv4).distinct().count() != cidrs.size()) {
                throw new IllegalArgumentException("pod CIDRs must be one or two, one per IP family, got " + cidrs);
            }
        }
    }
}
