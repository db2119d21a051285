package io.trellis.controller.networkpolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trellis.controlplane.policy.RulePort;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IpBlock;
import io.trellis.spi.policy.PolicyRef;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class NetworkPolicyParserTest {
    private final NetworkPolicyParser parser = new NetworkPolicyParser();

    private static NetworkPolicy policy(String specYaml) {
        String yaml = """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {namespace: ns, name: p, uid: u-1}
                spec:
                """ + specYaml.indent(2);
        return Serialization.unmarshal(yaml, NetworkPolicy.class);
    }

    private List<String> problems(String specYaml) {
        try {
            parser.parse(policy(specYaml));
        } catch (InvalidNetworkPolicyException e) {
            assertThat(e.getMessage()).startsWith("NetworkPolicy ns/p is invalid: ");
            return e.problems();
        }
        throw new AssertionError("accepted: " + specYaml);
    }

    @Test
    void parsesEveryFeature() throws Exception {
        PolicySpec spec = parser.parse(policy("""
                podSelector: {matchLabels: {app: web}}
                ingress:
                - from:
                  - podSelector: {matchExpressions: [{key: role, operator: In, values: [b, a]}]}
                  - namespaceSelector: {}
                  - namespaceSelector: {matchLabels: {team: x}}
                    podSelector: {}
                  - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
                  ports:
                  - port: 80
                  - {protocol: UDP, port: dns}
                  - {protocol: SCTP, port: 1000, endPort: 2000}
                  - protocol: UDP
                - {}
                egress:
                - to: []
                """));
        assertThat(spec.uid()).isEqualTo("u-1");
        assertThat(spec.ref()).isEqualTo(new PolicyRef("ns", "p"));
        assertThat(spec.podSelector()).isEqualTo(LabelSelector.matchLabels(Map.of("app", "web")));
        assertThat(spec.isolates()).isEqualTo(Set.of(Direction.INGRESS, Direction.EGRESS));
        assertThat(spec.ingress()).hasSize(2);
        assertThat(spec.ingress().get(0).peers()).containsExactly(
                new PeerSpec.Pods(Optional.empty(), Optional.of(LabelSelector.of(Map.of(), List.of(
                        new LabelRequirement("role", SelectorOperator.IN, new TreeSet<>(List.of("a", "b"))))))),
                new PeerSpec.Pods(Optional.of(LabelSelector.EVERYTHING), Optional.empty()),
                new PeerSpec.Pods(Optional.of(LabelSelector.matchLabels(Map.of("team", "x"))),
                        Optional.of(LabelSelector.EVERYTHING)),
                new PeerSpec.Addresses(new IpBlock(IpPrefix.parse("10.0.0.0/8"), List.of(IpPrefix.parse("10.1.0.0/16")))));
        assertThat(spec.ingress().get(0).ports()).containsExactly(
                RulePort.number(Protocol.TCP, 80),
                RulePort.named(Protocol.UDP, "dns"),
                new RulePort(Protocol.SCTP, OptionalInt.of(1000), Optional.empty(), OptionalInt.of(2000)),
                RulePort.anyPort(Protocol.UDP));
        assertThat(spec.ingress().get(1)).isEqualTo(new RuleSpec(List.of(), List.of()));
        assertThat(spec.egress()).containsExactly(new RuleSpec(List.of(), List.of()));
    }

    @Test
    void policyTypesDefaultToIngressPlusEgressWhenThereAreEgressRules() throws Exception {
        assertThat(parser.parse(policy("podSelector: {}")).isolates()).containsExactly(Direction.INGRESS);
        assertThat(parser.parse(policy("podSelector: {}\negress: []")).isolates()).containsExactly(Direction.INGRESS);
        assertThat(parser.parse(policy("podSelector: {}\negress: [{}]")).isolates())
                .containsExactlyInAnyOrder(Direction.INGRESS, Direction.EGRESS);
        assertThat(parser.parse(policy("podSelector: {}\npolicyTypes: [Egress]")).isolates())
                .containsExactly(Direction.EGRESS);
    }

    @Test
    void rulesOfATypeThePolicyDoesNotListHaveNoEffect() throws Exception {
        PolicySpec spec = parser.parse(policy("""
                podSelector: {}
                policyTypes: [Egress]
                ingress: [{}]
                egress: [{ports: [{port: 53}]}]
                """));
        assertThat(spec.ingress()).isEmpty();
        assertThat(spec.egress()).hasSize(1);
    }

    @Test
    void hostBitsOfACidrAreCleared() throws Exception {
        PolicySpec spec = parser.parse(policy("podSelector: {}\ningress: [{from: [{ipBlock: {cidr: 10.0.1.9/23}}]}]"));
        assertThat(spec.ingress().get(0).peers())
                .containsExactly(new PeerSpec.Addresses(IpBlock.of(IpPrefix.parse("10.0.0.0/23"))));
    }

    @Test
    void endPortBelowPortNamesFieldAndValues() {
        assertThat(problems("""
                podSelector: {}
                ingress:
                - {}
                - ports: [{port: 80, endPort: 70}]
                """)).containsExactly("spec.ingress[1].ports[0].endPort: 70 is below port 80");
    }

    @Test
    void unknownOperatorIsReported() {
        assertThat(problems("podSelector: {matchExpressions: [{key: a, operator: Foo, values: [x]}]}"))
                .containsExactly("spec.podSelector.matchExpressions[0].operator: 'Foo' is not one of In, NotIn, Exists,"
                        + " DoesNotExist");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThat(problems("""
                podSelector: {matchExpressions: [{key: a, operator: In}, {key: b, operator: Exists, values: [x]}]}
                policyTypes: [Ingress, Sideways]
                ingress:
                - from:
                  - {}
                  - ipBlock: {cidr: 10.0.0.0/8}
                    podSelector: {}
                  - ipBlock: {cidr: 10.0.0.0/33}
                  - ipBlock: {cidr: example.com/8}
                  - ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/8, 192.168.0.0/24, 10.0.0.0/16]}
                  ports:
                  - {port: 0}
                  - {port: http-, protocol: TCP}
                  - {port: web, endPort: 90}
                  - {protocol: ICMP}
                  - {port: 80, endPort: 70000}
                egress:
                - to: [{namespaceSelector: {matchLabels: {a: b}, matchExpressions: [{key: "", operator: Exists}]}}]
                """)).containsExactly(
                "spec.podSelector.matchExpressions[0].values: must not be empty for operator In",
                "spec.podSelector.matchExpressions[1].values: [x] must be empty for operator Exists",
                "spec.ingress[0].from[0]: needs a podSelector, a namespaceSelector or an ipBlock",
                "spec.ingress[0].from[1]: ipBlock cannot be combined with podSelector or namespaceSelector",
                "spec.ingress[0].from[2].ipBlock.cidr: '10.0.0.0/33' has prefix length 33, must be 0..32",
                "spec.ingress[0].from[3].ipBlock.cidr: 'example.com/8' is not a CIDR (address/length)",
                "spec.ingress[0].from[4].ipBlock.except[0]: '10.0.0.0/8' is not a strict subset of cidr 10.0.0.0/16",
                "spec.ingress[0].from[4].ipBlock.except[1]: '192.168.0.0/24' is not a strict subset of cidr 10.0.0.0/16",
                "spec.ingress[0].from[4].ipBlock.except[2]: '10.0.0.0/16' is not a strict subset of cidr 10.0.0.0/16",
                "spec.ingress[0].ports[0].port: 0 is not a port number (1..65535)",
                "spec.ingress[0].ports[1].port: 'http-' is not a valid port name (1-15 lowercase letters, digits and"
                        + " '-', with a letter)",
                "spec.ingress[0].ports[2].endPort: 90 needs a numeric port",
                "spec.ingress[0].ports[3].protocol: 'ICMP' is not one of TCP, UDP, SCTP",
                "spec.ingress[0].ports[4].endPort: 70000 is not a port number (1..65535)",
                "spec.egress[0].to[0].namespaceSelector.matchExpressions[0].key: missing",
                "spec.policyTypes[1]: 'Sideways' is not one of Ingress, Egress");
    }

    @Test
    void missingUidIsReported() {
        NetworkPolicy policy = policy("podSelector: {}");
        policy.getMetadata().setUid(null);
        assertThatThrownBy(() -> parser.parse(policy)).isInstanceOf(InvalidNetworkPolicyException.class)
                .hasMessage("NetworkPolicy ns/p is invalid: metadata.uid: missing");
    }

    @Test
    void numericStringPortIsNotAName() {
        assertThat(problems("podSelector: {}\ningress: [{ports: [{port: \"80\"}]}]"))
                .containsExactly("spec.ingress[0].ports[0].port: '80' is not a valid port name (1-15 lowercase letters,"
                        + " digits and '-', with a letter)");
    }
}
