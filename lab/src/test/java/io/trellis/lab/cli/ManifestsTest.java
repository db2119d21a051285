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

    @Test
    void theServiceSampleIsValid() {
        Path sample = Path.of("").toAbsolutePath().getParent().resolve("samples/web-service.yaml");
        assertThat(Manifests.load(client, sample)).extracting(Manifests::describe).containsExactly("namespace/web",
                "pod/web/web-1", "pod/web/web-2", "pod/web/web-3", "pod/web/client", "service/web/web",
                "service/web/nobody");
    }

    @Test
    void servicesAreAcceptedWithTheirFieldsAndEveryProblemIsNamed() throws Exception {
        List<HasMetadata> ok = Manifests.load(client, write("""
                apiVersion: v1
                kind: Service
                metadata: {name: np}
                spec:
                  type: NodePort
                  clusterIP: 10.96.7.7
                  selector: {app: a}
                  sessionAffinity: ClientIP
                  sessionAffinityConfig: {clientIP: {timeoutSeconds: 30}}
                  externalTrafficPolicy: Local
                  ports:
                    - {name: http, port: 80, targetPort: web, nodePort: 30080}
                    - {name: dns, port: 53, protocol: UDP, targetPort: 5353}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: headless}
                spec: {clusterIP: None, selector: {app: a}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: ext}
                spec: {type: ExternalName, externalName: example.com}
                """));
        assertThat(ok).hasSize(3);

        Path bad = write("""
                apiVersion: v1
                kind: Service
                metadata: {name: bad}
                spec:
                  type: Magic
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: bad2}
                spec:
                  clusterIP: 192.168.1.1
                  sessionAffinity: Sticky
                  ports:
                    - {port: 0, protocol: ICMP, targetPort: Not_A_Name, nodePort: 30000}
                    - {name: b, port: 81, targetPort: 70000}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: bad3}
                spec:
                  type: NodePort
                  ports:
                    - {name: a, port: 80, nodePort: 80}
                    - {name: a, port: 80}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: bad4}
                spec: {selector: {app: a}}
                """);
        assertThatThrownBy(() -> Manifests.load(client, bad)).isInstanceOf(LabException.class)
                .hasMessageContaining("(Service bad): spec.type 'Magic' is not one of ClusterIP, NodePort, LoadBalancer, ExternalName")
                .hasMessageContaining("(Service bad2): spec.clusterIP 192.168.1.1 is not in the lab's service CIDR 10.96.0.0/16")
                .hasMessageContaining("spec.sessionAffinity 'Sticky' is not one of None, ClientIP")
                .hasMessageContaining("spec.ports[0].name is required when there are several ports")
                .hasMessageContaining("spec.ports[0].protocol 'ICMP' is not one of TCP, UDP, SCTP")
                .hasMessageContaining("spec.ports[0].port 0 is not a port number (1-65535)")
                .hasMessageContaining("spec.ports[0].targetPort 'Not_A_Name' is not a port number or a port name")
                .hasMessageContaining("spec.ports[0].nodePort 30000 is only allowed for type NodePort or LoadBalancer")
                .hasMessageContaining("spec.ports[1].targetPort 70000 is not a port number (1-65535)")
                .hasMessageContaining("(Service bad3): spec.ports[0].nodePort 80 is not in the node port range 30000-32767")
                .hasMessageContaining("spec.ports[1].name 'a' is used twice")
                .hasMessageContaining("spec.ports[1]: port 80/TCP is listed twice")
                .hasMessageContaining("(Service bad4): spec.ports must list at least one port");
    }
}
