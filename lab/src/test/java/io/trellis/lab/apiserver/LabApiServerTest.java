package io.trellis.lab.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabApiServerTest {
    private LabApiServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() throws Exception {
        server = LabApiServer.start(InetAddress.getByName("127.0.0.1"), 0);
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(server.url()).withRequestTimeout(5000)
                .withConnectionTimeout(5000).build();
        client = new KubernetesClientBuilder().withConfig(config).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private static Pod pod(String namespace, String name, String nodeName) {
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withNodeName(nodeName).addNewContainer().withName("c").withImage("none").endContainer()
                .endSpec().build();
    }

    @Test
    void nodesAndPodsCanBeCreatedListedAndDeleted() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata()
                .withNewSpec().withPodCIDR("10.244.1.0/24").endSpec().build()).create();
        client.pods().inNamespace("x").resource(pod("x", "a", "node-1")).create();
        client.pods().inNamespace("y").resource(pod("y", "b", null)).create();

        assertThat(client.nodes().withName("node-1").get().getSpec().getPodCIDR()).isEqualTo("10.244.1.0/24");
        assertThat(client.pods().inAnyNamespace().list().getItems()).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("a", "b");
        assertThat(client.pods().inNamespace("x").list().getItems()).hasSize(1);

        client.pods().inNamespace("x").withName("a").delete();
        assertThat(client.pods().inNamespace("x").withName("a").get()).isNull();
    }

    @Test
    void statusSubresourceUpdatesStatus() {
        Pod created = client.pods().inNamespace("x").resource(pod("x", "a", "node-1")).create();
        created.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
                .withPodIP("10.244.1.2").build());
        client.pods().inNamespace("x").resource(created).updateStatus();
        Pod read = client.pods().inNamespace("x").withName("a").get();
        assertThat(read.getStatus().getPodIP()).isEqualTo("10.244.1.2");
        assertThat(read.getStatus().getPhase()).isEqualTo("Running");
    }

    @Test
    void nodeNameFieldSelectorFiltersListsAndWatches() throws Exception {
        client.pods().inNamespace("x").resource(pod("x", "a", "node-1")).create();
        client.pods().inNamespace("x").resource(pod("x", "b", "node-2")).create();
        client.pods().inNamespace("x").resource(pod("x", "c", null)).create();

        assertThat(client.pods().inAnyNamespace().withField("spec.nodeName", "node-1").list().getItems())
                .extracting(p -> p.getMetadata().getName()).containsExactly("a");
        assertThat(client.pods().inAnyNamespace().withoutField("spec.nodeName", "node-1").list().getItems())
                .extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("b", "c");

        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (Watch ignored = client.pods().inAnyNamespace().withField("spec.nodeName", "node-1")
                .watch(recorder(events))) {
            assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("ADDED x/a");
            // Binding c to node-1 makes it appear; moving a away makes it disappear, as for a real API server.
            Pod c = client.pods().inNamespace("x").withName("c").get();
            c.getSpec().setNodeName("node-1");
            client.pods().inNamespace("x").resource(c).update();
            assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("ADDED x/c");
            client.pods().inNamespace("x").withName("b").delete();
            client.pods().inNamespace("x").withName("c").delete();
            assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("DELETED x/c");
            assertThat(events.poll(300, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void writesKeepAnsweringWhileWatchesClose() throws Exception {
        // fabric8 8.0.0 without the listener fixes: a write racing a closing watch never got its response.
        for (int round = 0; round < 20; round++) {
            BlockingQueue<String> events = new LinkedBlockingQueue<>();
            Watch watch = client.nodes().watch(LabApiServerTest.<Node>named(events));
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n" + round).endMetadata().build())
                    .create();
            assertThat(events.poll(5, TimeUnit.SECONDS)).startsWith("ADDED");
            watch.close();
            long start = System.nanoTime();
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("m" + round).endMetadata().build())
                    .create();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3000);
        }
        assertThat(client.nodes().list().getItems()).hasSize(40);
    }

    @Test
    void servesDiscoveryAndJsonContentType() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(api.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(api.body()).contains("\"kind\":\"APIResourceList\"").contains("\"name\":\"pods\"")
                .contains("\"name\":\"nodes\"");
        HttpResponse<String> groups = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/apis")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(groups.body()).contains("\"kind\":\"APIGroupList\"").contains("discovery.k8s.io/v1")
                .contains("networking.k8s.io/v1");
        HttpResponse<String> version = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/version")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(version.body()).contains("\"gitVersion\":\"v1.32.0-trellis-lab\"");
        HttpResponse<String> protobuf = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/namespaces"))
                .header("Content-Type", "application/vnd.kubernetes.protobuf")
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(protobuf.statusCode()).isEqualTo(415);
        assertThat(protobuf.body()).contains("JSON only");
    }

    @Test
    void strategicMergePatchIsAppliedAsMergePatch() throws Exception {
        client.pods().inNamespace("x").resource(pod("x", "a", "node-1")).create();
        HttpResponse<String> patched = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(server.url() + "/api/v1/namespaces/x/pods/a"))
                .header("Content-Type", "application/strategic-merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"labels\":{\"app\":\"web\"}}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(patched.statusCode()).isBetween(200, 202);
        assertThat(client.pods().inNamespace("x").withName("a").get().getMetadata().getLabels())
                .containsEntry("app", "web");
    }

    @Test
    void kubeconfigPointsAtTheServer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kubeconfig");
        LabApiServer.writeKubeconfig(file, server.url());
        Config config = Config.fromKubeconfig(Files.readString(file));
        try (KubernetesClient fromFile = new KubernetesClientBuilder().withConfig(config).build()) {
            fromFile.nodes().resource(new NodeBuilder().withNewMetadata().withName("k").endMetadata().build()).create();
            assertThat(client.nodes().list().getItems()).extracting(n -> n.getMetadata().getName())
                    .isEqualTo(List.of("k"));
        }
    }

    private static Watcher<Pod> recorder(BlockingQueue<String> events) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod resource) {
                events.add(action + " " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        };
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> Watcher<T> named(BlockingQueue<String> events) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, T resource) {
                events.add(action + " " + resource.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        };
    }
}
