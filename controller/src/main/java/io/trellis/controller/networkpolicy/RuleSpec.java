package io.trellis.controller.networkpolicy;

import static java.util.Objects.requireNonNull;

import io.trellis.controlplane.policy.RulePort;
import java.util.List;

/**
 * One ingress or egress rule of a NetworkPolicy, validated.
 *
 * @param peers empty: every peer (the rule has no or an empty {@code from}/{@code to})
 * @param ports empty: every port and protocol
 */
public record RuleSpec(List<PeerSpec> peers, List<RulePort> ports) {
    public RuleSpec {
        peers = List.copyOf(requireNonNull(peers, "peers"));
        ports = List.copyOf(requireNonNull(ports, "ports"));
    }
}
