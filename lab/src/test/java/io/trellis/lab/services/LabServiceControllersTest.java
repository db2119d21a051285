package io.trellis.lab.services;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.trellis.lab.apiserver.LabApiServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lab's Service controllers against the lab's API stand-in (no root needed). */
class LabServiceControllersTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private LabApiServer server;
    private KubernetesClient client;
    private LabServiceControllers controllers;

    @BeforeEach
    void start() throws Exception {
        server = LabApiServer.start(InetAddress.getByName("127.0.0.1"), 0);
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(server.url()).withRequestTimeout(5000)
                .withConnectionTimeout(5000).build();
        client = new KubernetesClientBuilder().withConfig(config).build();
    }

    @AfterEach
    void stop() {
        if (controllers != null) {
            controllers.close();
        }
        client.close();
        server.close();
    }

    private static Service service(String name, String type) {
        return new ServiceBuilder().withNewMetadata().withNamespace("s").withName(name).endMetadata()
                .withNewSpec().withType(type).withSelector(Map.of("app", name))
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("web")).endPort()
                .addNewPort().withName("udp").withProtocol("UDP").withPort(81).endPort()
                .endSpec().build();
    }

    private Pod runningPod(String name, String app, String ip) {
        Pod pod = client.pods().inNamespace("s").resource(new PodBuilder().withNewMetadata().withNamespace("s")
                .withName(name).withLabels(Map.of("app", app)).endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("c").addNewPort().withName("web")
                .withContainerPort(8080).endPort().endContainer().endSpec().build()).create();
        return client.pods().inNamespace("s").withName(name).editStatus(p -> {
            p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").withPodIP(ip)
                    .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
            return p;
        });
    }

    private List<EndpointSlice> slicesOf(String service) {
        return client.discovery().v1().endpointSlices().inNamespace("s")
                .withLabel(EndpointSlices.SERVICE_NAME_LABEL, service).list().getItems();
    }

    private static <T> T await(String what, Supplier<T> value, java.util.function.Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        T last = value.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; last: " + last);
            }
            Thread.sleep(50);
            last = value.get();
        }
        return last;
    }

    @Test
    void allocatesClusterIpsAndNodePortsAndKeepsSlicesInStepWithPods() throws Exception {
        controllers = new LabServiceControllers(client);
        controllers.start();
        client.services().inNamespace("s").resource(service("web", "NodePort")).create();
        Service web = await("a cluster IP", () -> client.services().inNamespace("s").withName("web").get(),
                s -> s.getSpec().getClusterIP() != null && s.getSpec().getPorts().stream().allMatch(p -> p.getNodePort() != null));
        assertThat(web.getSpec().getClusterIP()).startsWith("10.96.");
        assertThat(web.getSpec().getClusterIPs()).containsExactly(web.getSpec().getClusterIP());
        assertThat(web.getSpec().getPorts()).allSatisfy(p -> assertThat(p.getNodePort()).isBetween(30000, 32767));

        // No pods yet: one slice without endpoints.
        List<EndpointSlice> empty = await("a placeholder slice", () -> slicesOf("web"), l -> l.size() == 1);
        assertThat(empty.get(0).getEndpoints()).isNullOrEmpty();

        runningPod("a", "web", "10.244.1.2");
        runningPod("b", "web", "10.244.1.3");
        runningPod("other", "db", "10.244.1.4");
        List<EndpointSlice> two = await("two endpoints", () -> slicesOf("web"),
                l -> l.size() == 1 && l.get(0).getEndpoints() != null && l.get(0).getEndpoints().size() == 2);
        EndpointSlice slice = two.get(0);
        assertThat(slice.getMetadata().getLabels()).containsEntry("endpointslice.kubernetes.io/managed-by", "lab");
        assertThat(slice.getPorts()).extracting(p -> p.getName() + "/" + p.getProtocol() + "/" + p.getPort())
                .containsExactly("http/TCP/8080", "udp/UDP/81");
        assertThat(slice.getEndpoints()).extracting(e -> e.getAddresses().get(0) + " " + e.getConditions().getReady())
                .containsExactly("10.244.1.2 true", "10.244.1.3 true");

        client.pods().inNamespace("s").withName("a").delete();
        await("pod a gone from the slice", () -> slicesOf("web"), l -> l.size() == 1 && l.get(0).getEndpoints() != null
                && l.get(0).getEndpoints().size() == 1 && l.get(0).getEndpoints().get(0).getAddresses().get(0).equals("10.244.1.3"));

        // A second Service gets another address; deleting the first removes its slices.
        client.services().inNamespace("s").resource(service("db", "ClusterIP")).create();
        Service db = await("db's cluster IP", () -> client.services().inNamespace("s").withName("db").get(),
                s -> s.getSpec().getClusterIP() != null);
        assertThat(db.getSpec().getClusterIP()).isNotEqualTo(web.getSpec().getClusterIP());
        assertThat(db.getSpec().getPorts()).allSatisfy(p -> assertThat(p.getNodePort()).isNull());
        client.services().inNamespace("s").withName("web").delete();
        await("web's slices deleted", () -> slicesOf("web"), List::isEmpty);
        assertThat(await("db's slice", () -> slicesOf("db"), l -> l.size() == 1).get(0).getEndpoints()).hasSize(1);
    }

    @Test
    void aRestartedControllerKeepsExistingValuesAndHandsOutOthers() throws Exception {
        Service fixed = service("fixed", "NodePort");
        fixed.getSpec().setClusterIP("10.96.0.2");
        fixed.getSpec().getPorts().get(0).setNodePort(30000);
        fixed.getSpec().getPorts().get(1).setNodePort(30001);
        client.services().inNamespace("s").resource(fixed).create();
        client.services().inNamespace("s").resource(service("fresh", "NodePort")).create();
        controllers = new LabServiceControllers(client);
        controllers.start();
        Service fresh = await("fresh's values", () -> client.services().inNamespace("s").withName("fresh").get(),
                s -> s.getSpec().getClusterIP() != null && s.getSpec().getPorts().stream().allMatch(p -> p.getNodePort() != null));
        assertThat(fresh.getSpec().getClusterIP()).isEqualTo("10.96.0.3");
        assertThat(fresh.getSpec().getPorts()).extracting(p -> p.getNodePort()).containsExactly(30002, 30003);
        Service after = client.services().inNamespace("s").withName("fixed").get();
        assertThat(after.getSpec().getClusterIP()).isEqualTo("10.96.0.2");
        assertThat(after.getSpec().getPorts()).extracting(p -> p.getNodePort()).containsExactly(30000, 30001);
    }
}
