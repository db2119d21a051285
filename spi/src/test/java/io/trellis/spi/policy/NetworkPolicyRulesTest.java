package io.trellis.spi.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import java.net.InetAddress;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NetworkPolicyRulesTest {

    private static final PolicyRef REF = new PolicyRef("x", "allow-web");

    @Test
    void anyPeerAndNoPeerAreDistinct() {
        PolicyRule fromAnyone = new PolicyRule(0, new Peers.Any(), List.of(PortMatch.of(Protocol.TCP, 80)));
        PolicyRule fromNobody = new PolicyRule(1, new Peers.Only(List.of()), List.of());

        assertThat(fromAnyone).isNotEqualTo(fromNobody);
        assertThat(fromNobody.peers()).isEqualTo(new Peers.Only(List.of()));
    }

    @Test
    void holdsAResolvedPolicy() throws Exception {
        PolicyTarget target = new PolicyTarget(new PodRef("x", "a"), List.of(InetAddress.getByName("10.244.1.5")));
        IpBlock block = new IpBlock(IpPrefix.parse("10.0.0.0/8"), List.of(IpPrefix.parse("10.1.0.0/16")));
        NetworkPolicyRules rules = new NetworkPolicyRules(REF, List.of(target), Set.of(Direction.INGRESS),
                List.of(new PolicyRule(0, new Peers.Only(List.of(block)),
                        List.of(new PortMatch(Protocol.TCP, OptionalInt.of(8000), OptionalInt.of(8080))))),
                List.of());

        assertThat(rules.isolates()).containsExactly(Direction.INGRESS);
        assertThat(rules.ingress()).hasSize(1);
    }

    @Test
    void aRuleSplitForNamedPortsAppliesToItsTargetsOnly() {
        PodRef a = new PodRef("x", "a");
        PodRef b = new PodRef("x", "b");
        PolicyRule forA = new PolicyRule(0, new Peers.Any(), List.of(PortMatch.of(Protocol.TCP, 8080)),
                java.util.Optional.of(Set.of(a)));
        PolicyRule forAll = new PolicyRule(0, new Peers.Any(), List.of());

        assertThat(forA.appliesTo(a)).isTrue();
        assertThat(forA.appliesTo(b)).isFalse();
        assertThat(forAll.appliesTo(b)).isTrue();
    }

    @Test
    void rejectsInconsistentPolicies() {
        PolicyRule any = new PolicyRule(0, new Peers.Any(), List.of());
        assertThatThrownBy(() -> new NetworkPolicyRules(REF, List.of(), Set.of(), List.of(), List.of()))
                .hasMessage("policy x/allow-web isolates no direction");
        assertThatThrownBy(() -> new NetworkPolicyRules(REF, List.of(), Set.of(Direction.EGRESS), List.of(any), List.of()))
                .hasMessage("policy x/allow-web has ingress rules but does not isolate ingress");
        assertThatThrownBy(() -> new NetworkPolicyRules(REF, List.of(), Set.of(Direction.INGRESS), List.of(), List.of(any)))
                .hasMessage("policy x/allow-web has egress rules but does not isolate egress");
        assertThatThrownBy(() -> new IpBlock(IpPrefix.parse("10.0.0.0/8"), List.of(IpPrefix.parse("11.0.0.0/16"))))
                .hasMessage("except 11.0.0.0/16 is not a strict subset of 10.0.0.0/8");
        assertThatThrownBy(() -> new IpBlock(IpPrefix.parse("10.0.0.0/8"), List.of(IpPrefix.parse("10.0.0.0/8"))))
                .hasMessage("except 10.0.0.0/8 is not a strict subset of 10.0.0.0/8");
        assertThatThrownBy(() -> new PolicyRule(-1, new Peers.Any(), List.of()))
                .hasMessage("rule index must be >= 0, got -1");
        assertThatThrownBy(() -> new PortMatch(Protocol.TCP, OptionalInt.empty(), OptionalInt.of(90)))
                .hasMessage("endPort 90 needs a port");
        assertThatThrownBy(() -> new PortMatch(Protocol.TCP, OptionalInt.of(100), OptionalInt.of(90)))
                .hasMessage("endPort 90 is below port 100");
    }
}
