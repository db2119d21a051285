package io.trellis.spi.policy;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One allow rule: traffic from (ingress) or to (egress) {@code peers} on {@code ports}.
 *
 * @param peers the allowed remote addresses
 * @param ports the allowed protocols/ports; empty allows every port (as a rule without
 *              {@code ports} does). A rule whose named ports resolve to nothing is not passed at all.
 */
public record PolicyRule(Peers peers, List<PortMatch> ports) {
    public PolicyRule {
        requireNonNull(peers, "peers");
        ports = List.copyOf(requireNonNull(ports, "ports"));
    }
}
