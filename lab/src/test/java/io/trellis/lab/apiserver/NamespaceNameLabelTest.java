package io.trellis.lab.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The API stand-in keeps {@code kubernetes.io/metadata.name} on every Namespace, as kube-apiserver does. */
class NamespaceNameLabelTest {
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

    private Map<String, String> labels(String name) {
        return client.namespaces().withName(name).get().getMetadata().getLabels();
    }

    @Test
    void aCreatedNamespaceGetsItsNameLabelNextToItsOwn() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("x").addToLabels("ns", "x")
                .endMetadata().build()).create();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bare").endMetadata().build())
                .create();
        assertThat(labels("x")).containsExactlyInAnyOrderEntriesOf(Map.of("ns", "x", NamespaceNameLabel.LABEL, "x"));
        assertThat(labels("bare")).containsExactlyEntriesOf(Map.of(NamespaceNameLabel.LABEL, "bare"));
    }

    @Test
    void updatesAndPatchesCannotRemoveOrChangeIt() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("y").addToLabels("ns", "y")
                .endMetadata().build()).create();
        client.namespaces().withName("y").edit(n -> {
            n.getMetadata().getLabels().remove(NamespaceNameLabel.LABEL);
            n.getMetadata().getLabels().put("team", "blue");
            return n;
        });
        assertThat(labels("y")).containsExactlyInAnyOrderEntriesOf(
                Map.of("ns", "y", "team", "blue", NamespaceNameLabel.LABEL, "y"));

        // A JSON patch (RFC 6902; the mock keeps nulls of a merge patch instead of removing the keys).
        client.namespaces().withName("y").patch(PatchContext.of(PatchType.JSON), """
                [{"op": "remove", "path": "/metadata/labels/team"},
                 {"op": "replace", "path": "/metadata/labels/kubernetes.io~1metadata.name", "value": "other"}]""");
        assertThat(labels("y")).containsExactlyInAnyOrderEntriesOf(Map.of("ns", "y", NamespaceNameLabel.LABEL, "y"));
    }

    @Test
    void objectsInANamespaceAreLeftAlone() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("z").endMetadata().build())
                .create();
        client.pods().inNamespace("z").resource(new PodBuilder().withNewMetadata().withName("a").withNamespace("z")
                .addToLabels("pod", "a").endMetadata().withNewSpec().addNewContainer().withName("c").withImage("i")
                .endContainer().endSpec().build()).create();
        assertThat(client.pods().inNamespace("z").withName("a").get().getMetadata().getLabels())
                .containsExactlyEntriesOf(Map.of("pod", "a"));
        Namespace z = client.namespaces().withName("z").get();
        assertThat(z.getMetadata().getLabels()).containsEntry(NamespaceNameLabel.LABEL, "z");
    }

    @Test
    void onlyWholeNamespaceWritesAreRecognised() {
        assertThat(NamespaceNameLabel.writesNamespace("POST", "/api/v1/namespaces")).isTrue();
        assertThat(NamespaceNameLabel.writesNamespace("PUT", "/api/v1/namespaces/x")).isTrue();
        assertThat(NamespaceNameLabel.writesNamespace("PATCH", "/api/v1/namespaces/x")).isTrue();
        assertThat(NamespaceNameLabel.writesNamespace("PUT", "/api/v1/namespaces/x/status")).isFalse();
        assertThat(NamespaceNameLabel.writesNamespace("POST", "/api/v1/namespaces/x/pods")).isFalse();
        assertThat(NamespaceNameLabel.writesNamespace("GET", "/api/v1/namespaces/x")).isFalse();
        assertThat(NamespaceNameLabel.writesNamespace("DELETE", "/api/v1/namespaces/x")).isFalse();
    }
}
