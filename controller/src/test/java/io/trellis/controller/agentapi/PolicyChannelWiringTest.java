package io.trellis.controller.agentapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trellis.controller.TrellisController;
import io.trellis.controller.config.ControllerConfig;
import io.trellis.controller.config.ControllerConfigLoader;
import io.trellis.controller.testing.Eventually;
import io.trellis.controlplane.policy.AppliedToGroup;
import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.stream.AgentTokens;
import io.trellis.controlplane.stream.PolicyStreamClient;
import io.trellis.controlplane.stream.PolicyStreamSettings;
import io.trellis.spi.model.PodRef;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller as configured with {@code agentApi}: NetworkPolicies in the API stand-in reach each
 * node's agent over TLS, each with only its own span.
 */
@EnableKubernetesMockClient(crud = true)
class PolicyChannelWiringTest {
    KubernetesClient client;
    @TempDir
    Path dir;
    private TrellisController controller;
    private final List<PolicyStreamClient> agents = new ArrayList<>();

    @AfterEach
    void tearDown() {
        agents.forEach(PolicyStreamClient::close);
        if (controller != null) {
            controller.close();
        }
    }

    private Pod pod(String name, String node, String ip) {
        return new PodBuilder().withNewMetadata().withNamespace("x").withName(name).withLabels(Map.of("app", name))
                .endMetadata().withNewSpec().withNodeName(node).addNewContainer().withName("c").withImage("i")
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip).addNewPodIP(ip).endStatus().build();
    }

    private PolicyStreamClient agent(int port, Path ca, byte[] secret, String node, RecordingListener listener)
            throws Exception {
        Path token = dir.resolve("token-" + node);
        Files.writeString(token, AgentTokens.tokenFor(secret, node) + "\n");
        PolicyStreamClient agent = new PolicyStreamClient(new PolicyStreamSettings(URI.create("https://localhost:"
                + port), ca, token, node), listener);
        agents.add(agent);
        agent.start();
        return agent;
    }

    @Test
    void policiesReachTheAgentsOfTheirNodesOnly() throws Exception {
        TestTls tls = TestTls.generate(dir, "trellis-controller");
        Path secret = dir.resolve("agent-token-secret");
        Files.writeString(secret, "wiring-secret\n");
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        ControllerConfig config = new ControllerConfigLoader().parse("""
                clusterCidr: 10.244.0.0/16
                agentApi:
                  listen: 127.0.0.1:%d
                  certificateFile: %s
                  privateKeyFile: %s
                  agentTokenSecretFile: %s
                """.formatted(port, tls.certificate(), tls.privateKey(), secret), "test");
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("x").endMetadata().build())
                .create();
        client.pods().inNamespace("x").resource(pod("a", "node-a", "10.244.0.5")).create();
        client.pods().inNamespace("x").resource(pod("b", "node-b", "10.244.1.5")).create();
        client.network().v1().networkPolicies().inNamespace("x").resource(Serialization.unmarshal("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {namespace: x, name: deny-a}
                spec:
                  podSelector: {matchLabels: {app: a}}
                """, NetworkPolicy.class)).create();

        controller = new TrellisController(config, client, "replica-1").start();
        byte[] key = AgentTokens.readSecret(secret);
        RecordingListener a = new RecordingListener();
        RecordingListener b = new RecordingListener();
        PolicyStreamClient agentA = agent(port, tls.certificate(), key, "node-a", a);
        PolicyStreamClient agentB = agent(port, tls.certificate(), key, "node-b", b);

        Eventually.until("both agents synced", () -> agentA.synced() && agentB.synced());
        Eventually.until("node-a has the policy", () -> a.state().values().stream()
                .anyMatch(o -> o instanceof InternalPolicy)); 
        InternalPolicy policy = (InternalPolicy) a.state().values().stream().filter(o -> o instanceof InternalPolicy)
                .findFirst().orElseThrow();
        assertThat(policy.ref().name()).isEqualTo("deny-a");
        PolicyObject group = a.state().values().stream().filter(o -> o instanceof AppliedToGroup).findFirst()
                .orElseThrow();
        assertThat(((AppliedToGroup) group).members()).extracting(PodMember::pod).containsExactly(new PodRef("x", "a"));
        assertThat(b.state()).isEmpty();
        assertThat(controller.policyChannel()).isPresent();

        client.network().v1().networkPolicies().inNamespace("x").withName("deny-a").delete();
        Eventually.until("node-a dropped the policy", () -> a.state().isEmpty());
        assertThat(b.calls()).containsExactly("replaceAll 0");
    }
}
