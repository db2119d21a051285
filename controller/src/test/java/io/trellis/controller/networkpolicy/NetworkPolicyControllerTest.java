package io.trellis.controller.networkpolicy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trellis.controller.testing.Eventually;
import io.trellis.controlplane.policy.AddressGroup;
import io.trellis.controlplane.policy.AppliedToGroup;
import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.NamedPort;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.PolicyRef;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The informer side against the Kubernetes API stand-in (fabric8 mock server, CRUD mode). */
@EnableKubernetesMockClient(crud = true)
class NetworkPolicyControllerTest {
    KubernetesClient client;
    private final RecordingSink sink = new RecordingSink();
    private NetworkPolicyController controller;

    @AfterEach
    void tearDown() {
        if (controller != null) {
            controller.close();
        }
    }

    private void namespace(String name, Map<String, String> labels) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
                .endMetadata().build()).create();
    }

    private Pod pod(String ns, String name, String node, String ip, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("c").withImage("i")
                .addNewPort().withName("http").withContainerPort(8080).endPort().endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip).addNewPodIP(ip).endStatus().build();
    }

    private static NetworkPolicy policy(String yaml) {
        return Serialization.unmarshal(yaml, NetworkPolicy.class);
    }

    private static PodMember member(String ns, String name, String node, String ip) throws Exception {
        return new PodMember(new PodRef(ns, name), node, List.of(InetAddress.getByName(ip)),
                List.of(new NamedPort("http", Protocol.TCP, 8080)));
    }

    @Test
    void publishesAfterSyncAndFollowsPodLabelChanges() throws Exception {
        namespace("x", Map.of("ns", "x"));
        namespace("y", Map.of("ns", "y"));
        client.pods().inNamespace("x").resource(pod("x", "server", "node-a", "10.244.0.5", Map.of("app", "server")))
                .create();
        client.pods().inNamespace("y").resource(pod("y", "client", "node-b", "10.244.1.7", Map.of("app", "client")))
                .create();
        client.pods().inNamespace("y").resource(pod("y", "other", "node-b", "10.244.1.8", Map.of("app", "other")))
                .create();
        controller = new NetworkPolicyController(client, sink);
        controller.start();
        Eventually.until("the controller synced", controller::synced);
        assertThat(sink.calls()).as("no policy yet: nothing to publish").isEmpty();

        client.network().v1().networkPolicies().inNamespace("x").resource(policy("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {namespace: x, name: allow-clients}
                spec:
                  podSelector: {matchLabels: {app: server}}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {app: client}}}]
                    ports: [{port: http}]
                """)).create();
        Eventually.until("the policy is published", () -> sink.policies().size() == 1);

        InternalPolicy published = sink.policies().get(0);
        assertThat(published.ref()).isEqualTo(new PolicyRef("x", "allow-clients"));
        assertThat(published.uid()).isEqualTo(client.network().v1().networkPolicies().inNamespace("x")
                .withName("allow-clients").get().getMetadata().getUid());
        assertThat(published.isolates()).containsExactly(Direction.INGRESS);
        assertThat(sink.appliedToGroups()).singleElement().satisfies(g -> {
            assertThat(g.name()).isEqualTo(published.appliedToGroup());
            try {
                assertThat(g.members()).containsExactly(member("x", "server", "node-a", "10.244.0.5"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(sink.current().get(published.key()).span()).containsExactly("node-a");
        AddressGroup clients = sink.addressGroups().get(0);
        assertThat(clients.members()).containsExactly(member("y", "client", "node-b", "10.244.1.7"));
        assertThat(sink.current().get(clients.key()).span()).containsExactly("node-a");

        client.pods().inNamespace("y").withName("other").edit(p -> new PodBuilder(p).editMetadata()
                .withLabels(Map.of("app", "client")).endMetadata().build());
        Eventually.until("the relabelled pod joins the address group",
                () -> sink.addressGroups().get(0).members().size() == 2);
        assertThat(sink.addressGroups().get(0).members()).containsExactly(
                member("y", "client", "node-b", "10.244.1.7"), member("y", "other", "node-b", "10.244.1.8"));

        client.network().v1().networkPolicies().inNamespace("x").withName("allow-clients").delete();
        Eventually.until("everything is withdrawn", () -> sink.current().isEmpty());
        assertThat(sink.appliedToGroups()).extracting(AppliedToGroup::name).isEmpty();
    }

    @Test
    void invalidPolicyIsLeftOutAndItsEarlierVersionWithdrawn() {
        namespace("x", Map.of());
        client.pods().inNamespace("x").resource(pod("x", "a", "node-a", "10.244.0.5", Map.of())).create();
        client.network().v1().networkPolicies().inNamespace("x").resource(policy("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {namespace: x, name: deny-all}
                spec: {podSelector: {}}
                """)).create();
        controller = new NetworkPolicyController(client, sink);
        controller.start();
        Eventually.until("the policy is published", () -> sink.policies().size() == 1);

        client.network().v1().networkPolicies().inNamespace("x").withName("deny-all").edit(p -> {
            p.getSpec().setPolicyTypes(List.of("Sideways"));
            return p;
        });
        Eventually.until("the now invalid policy is withdrawn", () -> sink.current().isEmpty());
    }
}
