package io.trellis.agent.policy;

import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.policy.IpBlock;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PortMatch;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The orders the agent sorts policy values in, so that equal inputs give equal
 * {@link io.trellis.spi.policy.NetworkPolicyRules} whatever order the controller listed them in
 * (a record that only changed its order would be sent to the enforcer again otherwise).
 * Each order is consistent with the records' {@code equals}, so sorted sets also remove duplicates.
 */
final class PolicyOrder {
    private PolicyOrder() {
    }

    static final Comparator<PodRef> POD = Comparator.comparing(PodRef::namespace).thenComparing(PodRef::name);

    static final Comparator<PolicyRef> POLICY = Comparator.comparing(PolicyRef::namespace).thenComparing(PolicyRef::name);

    /** IPv4 before IPv6, then by the unsigned address bytes. */
    static final Comparator<InetAddress> ADDRESS = Comparator
            .comparing((InetAddress a) -> a instanceof Inet4Address ? 0 : 1)
            .thenComparing(InetAddress::getAddress, Arrays::compareUnsigned);

    static final Comparator<IpPrefix> PREFIX = Comparator.comparing(IpPrefix::network, ADDRESS)
            .thenComparingInt(IpPrefix::prefixLength);

    static final Comparator<IpBlock> BLOCK = Comparator.comparing(IpBlock::cidr, PREFIX)
            .thenComparing(IpBlock::except, lexicographic(PREFIX));

    /** By protocol, then port (absent first: every port), then end port (absent first: one port). */
    static final Comparator<PortMatch> PORT = Comparator.comparing(PortMatch::protocol)
            .thenComparingInt(p -> p.port().orElse(0))
            .thenComparingInt(p -> p.endPort().orElse(0));

    static final Comparator<List<PortMatch>> PORTS = lexicographic(PORT);

    /** Element by element; a list that is a prefix of another comes first. */
    static <T> Comparator<List<T>> lexicographic(Comparator<? super T> element) {
        return (a, b) -> {
            int n = Math.min(a.size(), b.size());
            for (int i = 0; i < n; i++) {
                int c = element.compare(a.get(i), b.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(a.size(), b.size());
        };
    }
}
