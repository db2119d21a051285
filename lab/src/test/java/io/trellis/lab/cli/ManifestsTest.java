package io.trellis.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.trellis.lab.LabException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestsTest {
    // Parsing a manifest needs no server: the client is only the YAML reader here.
    private final KubernetesClient client = new KubernetesClientBuilder().build();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        client.close();
    }

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("m.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void samplesAreValidAndNamespacesComeFirst() {
        Path samples = Path.of("").toAbsolutePath().getParent().resolve("samples/xyz-pods.yaml");
        List<HasMetadata> items = Manifests.load(client, samples);
        assertThat(items).hasSize(12);
        assertThat(items.subList(0, 3)).extracting(HasMetadata::getKind).containsOnly("Namespace");
        assertThat(items.subList(3, 12)).extracting(Manifests::describe)
                .containsExactly("pod/x/a", "pod/x/b", "pod/x/c", "pod/y/a", "pod/y/b", "pod/y/c", "pod/z/a", "pod/z/b",
                        "pod/z/c");
    }

    @Test
    void namespacedObjectsDefaultToTheDefaultNamespace() throws Exception {
        List<HasMetadata> items = Manifests.load(client, write("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec: {containers: [{name: c, image: i}]}
                """));
        assertThat(items.get(0).getMetadata().getNamespace()).isEqualTo("default");
    }

    @Test
    void everyProblemIsNamedWithItsField() throws Exception {
        Path file = write("""
                apiVersion: v1
                kind: Pod
                metadata: {name: ok, namespace: Bad_NS}
                spec: {containers: [{image: i, ports: [{containerPort: 0, protocol: ICMP}]}]}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: a.b}
                """);
        assertThatThrownBy(() -> Manifests.load(client, file)).isInstanceOf(LabException.class)
                .hasMessageContaining("metadata.namespace 'Bad_NS' is not a valid DNS-1123 label")
                .hasMessageContaining("spec.containers[0].name is missing")
                .hasMessageContaining("spec.containers[0].ports[0].containerPort 0 is not a port number")
                .hasMessageContaining("spec.containers[0].ports[0].protocol 'ICMP'")
                .hasMessageContaining("(Namespace a.b): metadata.name 'a.b' is not a valid DNS-1123 label")
                .satisfies(e -> assertThat(((LabException) e).exitCode()).isEqualTo(2));
    }

    @Test
    void missingFileAndBrokenYamlAreUsageErrors() throws Exception {
        assertThatThrownBy(() -> Manifests.load(client, dir.resolve("none.yaml")))
                .hasMessageContaining("no such file");
        Path broken = write("kind: [\n");
        assertThatThrownBy(() -> Manifests.load(client, broken)).isInstanceOf(LabException.class)
                .hasMessageContaining("not a valid manifest");
    }
}
