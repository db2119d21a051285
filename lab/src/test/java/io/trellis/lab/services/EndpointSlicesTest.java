package io.trellis.lab.services;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointSlicesTest {
    private static Service service() {
        return new ServiceBuilder().withNewMetadata().withNamespace("s").withName("web").withUid("svc-uid").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "web"))
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("web")).endPort()
                .addNewPort().withName("dns").withProtocol("UDP").withPort(53).withTargetPort(new IntOrString(5353)).endPort()
                .endSpec().build();
    }

    /** A running pod; webPort = the number of its TCP container port named "web", null for none. */
    private static PodBuilder pod(String name, String ip, Integer webPort, boolean ready) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace("s").withName(name).withUid(name + "-uid")
                .withLabels(Map.of("app", "web")).endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("c").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip)
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus();
        if (webPort != null) {
            b.editSpec().editFirstContainer().addNewPort().withName("web").withContainerPort(webPort).endPort()
                    .addNewPort().withName("web").withProtocol("UDP").withContainerPort(9).endPort()
                    .endContainer().endSpec();
        }
        return b;
    }

    @Test
    void namedTargetPortsResolvePerPodAndPodsWithTheSamePortsShareASlice() {
        List<Pod> pods = List.of(pod("b", "10.244.1.3", 8080, true).build(), pod("a", "10.244.1.2", 8080, true).build(),
                pod("c", "10.244.2.2", 9090, true).build(), pod("d", "10.244.2.3", null, true).build());
        List<EndpointSlice> slices = EndpointSlices.desired(service(), pods).orElseThrow();
        assertThat(slices).hasSize(3);
        EndpointSlice on8080 = slices.get(0);
        assertThat(on8080.getAddressType()).isEqualTo("IPv4");
        assertThat(on8080.getMetadata().getName()).matches("web-[0-9a-f]{8}");
        assertThat(on8080.getMetadata().getLabels()).containsEntry("kubernetes.io/service-name", "web")
                .containsEntry("endpointslice.kubernetes.io/managed-by", "lab");
        assertThat(on8080.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo("svc-uid");
        assertThat(on8080.getPorts()).extracting(p -> p.getName() + "/" + p.getProtocol() + "/" + p.getPort())
                .containsExactly("http/TCP/8080", "dns/UDP/5353");
        assertThat(on8080.getEndpoints()).extracting(e -> e.getAddresses().get(0))
                .containsExactly("10.244.1.2", "10.244.1.3");
        Endpoint a = on8080.getEndpoints().get(0);
        assertThat(a.getNodeName()).isEqualTo("node-1");
        assertThat(a.getTargetRef().getKind()).isEqualTo("Pod");
        assertThat(a.getTargetRef().getName()).isEqualTo("a");
        assertThat(a.getTargetRef().getUid()).isEqualTo("a-uid");
        assertThat(slices.get(1).getPorts()).extracting(p -> p.getName() + "/" + p.getPort())
                .containsExactly("http/9090", "dns/5353");
        // d declares no port named "web" (for TCP): it gets only the numeric one.
        assertThat(slices.get(2).getPorts()).extracting(p -> p.getName() + "/" + p.getPort()).containsExactly("dns/5353");
        assertThat(slices.get(2).getEndpoints()).extracting(e -> e.getTargetRef().getName()).containsExactly("d");
        // Slice names depend on the ports only: the same pods in another order give the same slices.
        assertThat(EndpointSlices.desired(service(), List.of(pods.get(3), pods.get(2), pods.get(1), pods.get(0)))
                .orElseThrow()).isEqualTo(slices);
    }

    @Test
    void conditionsFollowTheReadyConditionAndTheDeletionTimestamp() {
        List<Pod> pods = List.of(
                pod("ready", "10.244.1.2", 80, true).build(),
                pod("unready", "10.244.1.3", 80, false).build(),
                pod("leaving", "10.244.1.4", 80, true).editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z")
                        .endMetadata().build());
        List<Endpoint> endpoints = EndpointSlices.desired(service(), pods).orElseThrow().get(0).getEndpoints();
        assertThat(endpoints).extracting(e -> e.getTargetRef().getName() + " ready=" + e.getConditions().getReady()
                        + " serving=" + e.getConditions().getServing() + " terminating=" + e.getConditions().getTerminating())
                .containsExactly("leaving ready=false serving=true terminating=true",
                        "ready ready=true serving=true terminating=false",
                        "unready ready=false serving=false terminating=false");
    }

    @Test
    void podsWithoutIpOtherLabelsOtherNamespaceOrFinishedAreLeftOut() {
        List<Pod> pods = List.of(
                pod("noip", null, 80, false).build(),
                pod("other", "10.244.1.3", 80, true).editMetadata().withLabels(Map.of("app", "db")).endMetadata().build(),
                pod("elsewhere", "10.244.1.4", 80, true).editMetadata().withNamespace("t").endMetadata().build(),
                pod("done", "10.244.1.5", 80, true).editStatus().withPhase("Succeeded").endStatus().build());
        List<EndpointSlice> slices = EndpointSlices.desired(service(), pods).orElseThrow();
        assertThat(slices).hasSize(1);
        assertThat(slices.get(0).getEndpoints()).isEmpty();
        assertThat(slices.get(0).getPorts()).isEmpty();
    }

    @Test
    void numericAndDefaultTargetPortsNeedNoContainerPort() {
        Service svc = new ServiceBuilder(service()).editSpec().withPorts().addNewPort().withName("a").withPort(80)
                .endPort().addNewPort().withName("b").withProtocol("UDP").withPort(81).withTargetPort(new IntOrString(8181))
                .endPort().endSpec().build();
        EndpointSlice slice = EndpointSlices.desired(svc, List.of(pod("x", "10.244.1.2", null, true).build()))
                .orElseThrow().get(0);
        assertThat(slice.getPorts()).extracting(p -> p.getName() + "/" + p.getProtocol() + "/" + p.getPort())
                .containsExactly("a/TCP/80", "b/UDP/8181");
    }

    @Test
    void servicesWithoutSelectorAndExternalNameAreNotManaged() {
        Service noSelector = new ServiceBuilder(service()).editSpec().withSelector(null).endSpec().build();
        Service external = new ServiceBuilder(service()).editSpec().withType("ExternalName").endSpec().build();
        List<Pod> pods = List.of(pod("a", "10.244.1.2", 80, true).build());
        assertThat(EndpointSlices.desired(noSelector, pods)).isEmpty();
        assertThat(EndpointSlices.desired(external, pods)).isEmpty();
    }

    @Test
    void sameContentIgnoresMetadataBookkeeping() {
        EndpointSlice want = EndpointSlices.desired(service(), List.of(pod("a", "10.244.1.2", 80, true).build()))
                .orElseThrow().get(0);
        EndpointSlice stored = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
                io.fabric8.kubernetes.client.utils.Serialization.asJson(want), EndpointSlice.class);
        stored.getMetadata().setResourceVersion("17");
        stored.getMetadata().setUid("slice-uid");
        assertThat(EndpointSlices.sameContent(stored, want)).isTrue();
        EndpointSlice other = EndpointSlices.desired(service(), List.of(pod("a", "10.244.1.2", 80, false).build()))
                .orElseThrow().get(0);
        assertThat(EndpointSlices.sameContent(stored, other)).isFalse();
    }
}
