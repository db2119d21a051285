package io.trellis.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.trellis.lab.LabException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `lab apply` reads networking.k8s.io/v1 NetworkPolicies and refuses what kube-apiserver refuses. */
class NetworkPolicyManifestsTest {
    private final KubernetesClient client = new KubernetesClientBuilder().build();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        client.close();
    }

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void theConformanceSampleHasLabelledNamespacesAndPodsWithTheFourNamedPorts() {
        Path sample = Path.of("").toAbsolutePath().getParent().resolve("samples/netpol-xyz.yaml");
        List<HasMetadata> items = Manifests.load(client, sample);
        assertThat(items).extracting(Manifests::describe).containsExactly("namespace/x", "namespace/y", "namespace/z",
                "pod/x/a", "pod/x/b", "pod/x/c", "pod/y/a", "pod/y/b", "pod/y/c", "pod/z/a", "pod/z/b", "pod/z/c");
        for (HasMetadata item : items) {
            String label = item.getKind().equals("Namespace") ? "ns" : "pod";
            assertThat(item.getMetadata().getLabels()).containsExactlyEntriesOf(
                    java.util.Map.of(label, item.getMetadata().getName()));
            if (item instanceof io.fabric8.kubernetes.api.model.Pod pod) {
                assertThat(pod.getSpec().getContainers()).singleElement().satisfies(c -> assertThat(c.getPorts())
                        .extracting(p -> p.getName() + "=" + p.getContainerPort() + "/" + p.getProtocol())
                        .containsExactly("serve-80-tcp=80/TCP", "serve-80-udp=80/UDP", "serve-81-tcp=81/TCP",
                                "serve-81-udp=81/UDP"));
            }
        }
    }

    @Test
    void aPolicyUsingEveryFieldIsReadAsANetworkPolicy() throws Exception {
        List<HasMetadata> items = Manifests.load(client, write("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: everything, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  policyTypes: [Ingress, Egress]
                  ingress:
                  - from:
                    - namespaceSelector: {matchExpressions: [{key: ns, operator: In, values: [y]}]}
                      podSelector: {matchExpressions: [{key: pod, operator: Exists}]}
                    - ipBlock: {cidr: 10.244.0.0/16, except: [10.244.1.0/24, 10.244.2.7/32]}
                    ports:
                    - {protocol: TCP, port: 80, endPort: 81}
                    - {protocol: UDP, port: serve-81-udp}
                    - {protocol: SCTP}
                  egress:
                  - to: [{podSelector: {}}]
                  - {}
                """));
        assertThat(items).singleElement().isInstanceOf(NetworkPolicy.class)
                .extracting(Manifests::describe).isEqualTo("networkpolicy/x/everything");
    }

    @Test
    void everyProblemIsNamedWithItsFieldAndValue() throws Exception {
        Path file = write("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: bad, namespace: x}
                spec:
                  podSelector: {matchExpressions: [{key: pod, operator: Is, values: [a]}]}
                  policyTypes: [Ingress, Sideways, Ingress]
                  ingress:
                  - from:
                    - {}
                    - ipBlock: {cidr: 10.244.0.0/16}
                      podSelector: {}
                    - ipBlock: {cidr: 10.244.0.0/16, except: [10.245.0.0/24, 10.244.0.0/16, nonsense]}
                    - namespaceSelector: {matchExpressions: [{key: ns, operator: In}, {key: ns, operator: Exists, values: [x]}]}
                    ports:
                    - {protocol: ICMP, port: 80}
                    - {port: 70000}
                    - {port: Not_A_Name}
                    - {port: http, endPort: 90}
                    - {port: 90, endPort: 80}
                  egress:
                  - to: [{ipBlock: {cidr: 10.0.0.300/8}}]
                """);
        assertThatThrownBy(() -> Manifests.load(client, file)).isInstanceOf(LabException.class)
                .satisfies(e -> assertThat(((LabException) e).exitCode()).isEqualTo(2))
                .hasMessageContainingAll(
                        "spec.podSelector.matchExpressions[0].operator 'Is' is not one of In, NotIn, Exists, DoesNotExist",
                        "spec.policyTypes[1] 'Sideways' is not one of Ingress, Egress",
                        "spec.policyTypes[2] 'Ingress' is listed twice",
                        "spec.ingress[0].from[0]: must specify a peer",
                        "spec.ingress[0].from[1]: ipBlock may not be combined with podSelector or namespaceSelector",
                        "spec.ingress[0].from[2].ipBlock.except[0] 10.245.0.0/24 must be a strict subset of cidr 10.244.0.0/16",
                        "spec.ingress[0].from[2].ipBlock.except[1] 10.244.0.0/16 must be a strict subset",
                        "spec.ingress[0].from[2].ipBlock.except[2] 'nonsense' is not a CIDR",
                        "spec.ingress[0].from[3].namespaceSelector.matchExpressions[0].values must be non-empty for operator In",
                        "spec.ingress[0].from[3].namespaceSelector.matchExpressions[1].values must be empty for operator Exists",
                        "spec.ingress[0].ports[0].protocol 'ICMP' is not one of TCP, UDP, SCTP",
                        "spec.ingress[0].ports[1].port 70000 is not a port number",
                        "spec.ingress[0].ports[2].port 'Not_A_Name' is not a port number or a port name",
                        "spec.ingress[0].ports[3].endPort 90 needs a numeric port (port is 'http')",
                        "spec.ingress[0].ports[4].endPort 80 must be between port 90 and 65535",
                        "spec.egress[0].to[0].ipBlock.cidr '10.0.0.300/8' is not a CIDR");
    }
}
