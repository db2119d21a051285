package io.trellis.iptables.policy;

import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IpBlock;
import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.Peers;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyRule;
import io.trellis.spi.policy.PolicyTarget;
import io.trellis.spi.policy.PortMatch;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/** Small builders of SPI policy objects for the tests. */
final class Policies {

    private Policies() {
    }

    static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static PolicyTarget target(String namespace, String pod, String address) {
        return new PolicyTarget(new PodRef(namespace, pod), List.of(ip(address)));
    }

    static Peers peers(String... cidrs) {
        return new Peers.Only(Arrays.stream(cidrs).map(c -> IpBlock.of(IpPrefix.parse(c))).toList());
    }

    static Peers block(String cidr, String... except) {
        return new Peers.Only(List.of(new IpBlock(IpPrefix.parse(cidr),
                Arrays.stream(except).map(IpPrefix::parse).toList())));
    }

    static PortMatch tcp(int port) {
        return PortMatch.of(Protocol.TCP, port);
    }

    static PortMatch udp(int port) {
        return PortMatch.of(Protocol.UDP, port);
    }

    static PortMatch range(Protocol protocol, int port, int end) {
        return new PortMatch(protocol, OptionalInt.of(port), OptionalInt.of(end));
    }

    static PolicyRule rule(int index, Peers peers, PortMatch... ports) {
        return new PolicyRule(index, peers, List.of(ports));
    }

    static NetworkPolicyRules ingress(String namespace, String name, List<PolicyTarget> targets, PolicyRule... rules) {
        return new NetworkPolicyRules(new PolicyRef(namespace, name), targets, Set.of(Direction.INGRESS),
                List.of(rules), List.of());
    }

    static NetworkPolicyRules egress(String namespace, String name, List<PolicyTarget> targets, PolicyRule... rules) {
        return new NetworkPolicyRules(new PolicyRef(namespace, name), targets, Set.of(Direction.EGRESS), List.of(),
                List.of(rules));
    }
}
