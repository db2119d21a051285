package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.policy.Direction;
import java.net.Inet4Address;
import java.util.List;
import java.util.Optional;

/**
 * One allow rule as the policy stages match it: the dimensions of a conjunctive match. A dimension
 * that is {@link Optional#empty()} is "any" and left out of the match.
 *
 * @param ruleId    1..0xffffffff: the conj_id, the value recorded in ct_label, the cookie object
 * @param direction INGRESS: targets are destinations, peers sources; EGRESS the other way round
 * @param targets   the local pods' IPv4 addresses the rule applies to (never "any"; empty: no flow)
 * @param peers     the peer prefixes (disjoint or not); empty list: the rule allows nobody
 * @param ports     the protocols/ports; empty list: the rule allows nothing
 */
public record PolicyRuleSpec(long ruleId, Direction direction, List<Inet4Address> targets,
        Optional<List<Ipv4Subnet>> peers, Optional<List<L4Match>> ports) {

    public PolicyRuleSpec {
        if (ruleId < 1 || ruleId > 0xffff_ffffL) {
            throw new IllegalArgumentException("policy rule id " + ruleId + " out of range 1..0xffffffff");
        }
        requireNonNull(direction, "direction");
        targets = List.copyOf(requireNonNull(targets, "targets"));
        peers = requireNonNull(peers, "peers").map(List::copyOf);
        ports = requireNonNull(ports, "ports").map(List::copyOf);
    }

    /** Whether some packet can match: no dimension is an empty set. */
    public boolean matchesSomething() {
        return !targets.isEmpty() && peers.map(p -> !p.isEmpty()).orElse(true)
                && ports.map(p -> !p.isEmpty()).orElse(true);
    }

    /**
     * A protocol and optionally a masked destination port.
     *
     * @param ipProto 6 TCP, 17 UDP, 132 SCTP
     * @param port    the destination port match, or empty for every port of the protocol
     */
    public record L4Match(int ipProto, Optional<PolicyMatches.MaskedPort> port) {
        public L4Match {
            if (ipProto != 6 && ipProto != 17 && ipProto != 132) {
                throw new IllegalArgumentException("policy port protocol " + ipProto + ": expected 6, 17 or 132");
            }
            requireNonNull(port, "port");
        }
    }
}
