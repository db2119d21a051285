package io.trellis.controlplane.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.policy.Direction;
import java.util.List;

/**
 * One rule of a NetworkPolicy, with its peers turned into address groups.
 *
 * @param index the rule's position in the policy's {@code ingress} or {@code egress} list (the
 *              identity statistics are kept under)
 * @param ports empty allows every port and protocol
 */
public record InternalRule(Direction direction, int index, RulePeers peers, List<RulePort> ports) {
    public InternalRule {
        requireNonNull(direction, "direction");
        requireNonNull(peers, "peers");
        ports = List.copyOf(requireNonNull(ports, "ports"));
        if (index < 0) {
            throw new IllegalArgumentException("rule index must be >= 0, got " + index);
        }
    }
}
