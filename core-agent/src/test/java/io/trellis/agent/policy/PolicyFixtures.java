package io.trellis.agent.policy;

import io.trellis.controlplane.policy.AddressGroup;
import io.trellis.controlplane.policy.AppliedToGroup;
import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.InternalRule;
import io.trellis.controlplane.policy.NamedPort;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.controlplane.policy.RulePeers;
import io.trellis.controlplane.policy.RulePort;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IpBlock;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyTarget;
import io.trellis.spi.policy.PortMatch;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/** Short constructors for the policy objects of the tests. */
final class PolicyFixtures {
    static final String NODE = "node-1";
    static final String OTHER_NODE = "node-2";

    private PolicyFixtures() {
    }

    static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static PodRef ref(String nsSlashName) {
        String[] p = nsSlashName.split("/");
        return new PodRef(p[0], p[1]);
    }

    static PodMember member(String pod, String node, String ip, NamedPort... ports) {
        return new PodMember(ref(pod), node, List.of(ip(ip)), List.of(ports));
    }

    static PodMember local(String pod, String ip, NamedPort... ports) {
        return member(pod, NODE, ip, ports);
    }

    static NamedPort tcp(String name, int port) {
        return new NamedPort(name, Protocol.TCP, port);
    }

    static NamedPort udp(String name, int port) {
        return new NamedPort(name, Protocol.UDP, port);
    }

    static AppliedToGroup appliedTo(String name, PodMember... members) {
        return new AppliedToGroup(name, List.of(members));
    }

    static AddressGroup addresses(String name, PodMember... members) {
        return new AddressGroup(name, List.of(members));
    }

    static InternalPolicy policy(String uid, String nsSlashName, String appliedToGroup, InternalRule... rules) {
        String[] p = nsSlashName.split("/");
        Set<Direction> isolates = EnumSet.of(Direction.INGRESS);
        Arrays.stream(rules).map(InternalRule::direction).forEach(isolates::add);
        return new InternalPolicy(uid, new PolicyRef(p[0], p[1]), appliedToGroup, isolates, List.of(rules));
    }

    static PolicyRef policyRef(String nsSlashName) {
        String[] p = nsSlashName.split("/");
        return new PolicyRef(p[0], p[1]);
    }

    static InternalRule ingress(int index, RulePeers peers, RulePort... ports) {
        return new InternalRule(Direction.INGRESS, index, peers, List.of(ports));
    }

    static InternalRule egress(int index, RulePeers peers, RulePort... ports) {
        return new InternalRule(Direction.EGRESS, index, peers, List.of(ports));
    }

    static RulePeers groups(String... names) {
        return RulePeers.of(List.of(names), List.of());
    }

    static RulePeers blocks(IpBlock... blocks) {
        return RulePeers.of(List.of(), List.of(blocks));
    }

    static IpBlock block(String cidr, String... except) {
        return new IpBlock(IpPrefix.parse(cidr), Arrays.stream(except).map(IpPrefix::parse).toList());
    }

    static IpBlock host(String ip) {
        return block(ip + (ip.contains(":") ? "/128" : "/32"));
    }

    static PortMatch port(Protocol protocol, int port) {
        return PortMatch.of(protocol, port);
    }

    static PortMatch range(Protocol protocol, int port, int endPort) {
        return new PortMatch(protocol, OptionalInt.of(port), OptionalInt.of(endPort));
    }

    static PortMatch allOf(Protocol protocol) {
        return new PortMatch(protocol, OptionalInt.empty(), OptionalInt.empty());
    }

    static RulePort rangePort(Protocol protocol, int port, int endPort) {
        return new RulePort(protocol, OptionalInt.of(port), java.util.Optional.empty(), OptionalInt.of(endPort));
    }

    static PolicyTarget target(String pod, String... ips) {
        return new PolicyTarget(ref(pod), Arrays.stream(ips).map(PolicyFixtures::ip).toList());
    }
}
