package io.trellis.controller.networkpolicy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trellis.controlplane.policy.NamedPort;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterObjectsTest {
    private final ClusterObjects objects = new ClusterObjects();

    private static Pod pod(String yaml) {
        return Serialization.unmarshal("apiVersion: v1\nkind: Pod\n" + yaml, Pod.class);
    }

    @Test
    void podWithEverything() throws Exception {
        PodInfo info = objects.pod(pod("""
                metadata: {namespace: x, name: a, labels: {app: web}}
                spec:
                  nodeName: node-1
                  containers:
                  - name: c1
                    ports: [{name: web, containerPort: 8080}, {containerPort: 9090}, {name: dns, containerPort: 53, protocol: UDP}]
                  - name: c2
                    ports: [{name: admin, containerPort: 9000, protocol: SCTP}]
                status:
                  phase: Running
                  podIP: 10.0.0.5
                  podIPs: [{ip: 10.0.0.5}, {ip: "fd00::5"}]
                """));
        assertThat(info).isEqualTo(new PodInfo(new PodRef("x", "a"), Map.of("app", "web"), Optional.of("node-1"),
                List.of(InetAddress.getByName("10.0.0.5"), InetAddress.getByName("fd00::5")), PodPhase.RUNNING,
                List.of(new NamedPort("admin", Protocol.SCTP, 9000), new NamedPort("dns", Protocol.UDP, 53),
                        new NamedPort("web", Protocol.TCP, 8080))));
        assertThat(info.isMember()).isTrue();
    }

    @Test
    void podIpFallsBackToStatusPodIp() throws Exception {
        PodInfo info = objects.pod(pod("""
                metadata: {namespace: x, name: a}
                spec: {nodeName: n, containers: [{name: c}]}
                status: {phase: Running, podIP: 10.0.0.6}
                """));
        assertThat(info.ips()).containsExactly(InetAddress.getByName("10.0.0.6"));
        assertThat(info.labels()).isEmpty();
    }

    @Test
    void podsThatCannotBeMembers() {
        assertThat(objects.pod(pod("""
                metadata: {namespace: x, name: pending}
                spec: {containers: [{name: c}]}
                status: {phase: Pending}
                """)).isMember()).isFalse();
        PodInfo host = objects.pod(pod("""
                metadata: {namespace: x, name: host}
                spec: {nodeName: n, hostNetwork: true, containers: [{name: c}]}
                status: {phase: Running, podIP: 192.168.0.10}
                """));
        assertThat(host.ips()).isEmpty();
        assertThat(host.isMember()).isFalse();
        PodInfo done = objects.pod(pod("""
                metadata: {namespace: x, name: done}
                spec: {nodeName: n, containers: [{name: c}]}
                status: {phase: Succeeded, podIP: 10.0.0.7}
                """));
        assertThat(done.phase()).isEqualTo(PodPhase.SUCCEEDED);
        assertThat(done.isMember()).isFalse();
        PodInfo badIp = objects.pod(pod("""
                metadata: {namespace: x, name: bad}
                spec: {nodeName: n, containers: [{name: c}]}
                status: {phase: Running, podIPs: [{ip: not-an-ip}]}
                """));
        assertThat(badIp.ips()).isEmpty();
    }

    @Test
    void namespaceLabels() {
        Namespace ns = Serialization.unmarshal("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: x, labels: {team: a}}
                """, Namespace.class);
        assertThat(objects.namespace(ns)).isEqualTo(new NamespaceInfo("x", Map.of("team", "a")));
    }
}
