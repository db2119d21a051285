package io.trellis.agent.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditionsBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServiceProxy;
import io.trellis.spi.service.ServiceProxyException;
import io.trellis.spi.service.ServiceRef;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The agent's Service and EndpointSlice informers drive a ServiceProxy: full syncs, then batched changes. */
@EnableKubernetesMockClient(crud = true)
class ServiceSyncTest {
    KubernetesClient client;

    /** Records every call as text, in order; can be told to fail the next upsert. */
    static final class RecordingProxy implements ServiceProxy {
        final List<String> calls = new ArrayList<>();
        boolean failNextUpsert;

        @Override
        public synchronized void replaceAll(Collection<Service> services) {
            calls.add("replaceAll " + services.stream().map(RecordingProxy::describe).sorted().toList());
        }

        @Override
        public synchronized void upsert(Service service) {
            if (failNextUpsert) {
                failNextUpsert = false;
                calls.add("failed upsert " + service.ref());
                throw new ServiceProxyException("switch unavailable");
            }
            calls.add("upsert " + describe(service));
        }

        @Override
        public synchronized void remove(ServiceRef ref) {
            calls.add("remove " + ref);
        }

        synchronized List<String> snapshot() {
            return List.copyOf(calls);
        }

        synchronized long count(Predicate<String> call) {
            return calls.stream().filter(call).count();
        }

        /** ns/name ips ports {endpoint ports conditions}, endpoints sorted. */
        static String describe(Service s) {
            return s.ref() + " " + s.clusterIps().stream().map(InetAddress::getHostAddress).toList() + " "
                    + s.ports().stream().map(p -> p.name() + "/" + p.protocol() + "/" + p.port()).toList() + " "
                    + s.endpoints().stream().map(RecordingProxy::describe).sorted().toList();
        }

        static String describe(ServiceEndpoint e) {
            return e.address().getHostAddress() + e.ports().stream().map(p -> p.name() + "=" + p.port()).sorted().toList()
                    + (e.ready() ? "R" : "") + (e.serving() ? "S" : "") + (e.terminating() ? "T" : "")
                    + e.nodeName().map(n -> "@" + n).orElse("");
        }
    }

    @Test
    void fullSyncAtStartJoinsSlicesAndSkipsWhatIsNotProxied() throws InterruptedException {
        client.services().resource(service("default", "web", "10.96.0.10", "http", "TCP", 80, "http")).create();
        // Named targetPort "http": pods serve it on 8080 in one slice and on 8081 in another.
        client.discovery().v1().endpointSlices().resource(slice("default", "web-abc", "web", "http", 8080,
                endpoint("10.244.1.5", true, null, null, "node-1"),
                endpoint("10.244.1.6", false, true, true, "node-1"))).create();
        client.discovery().v1().endpointSlices().resource(slice("default", "web-def", "web", "http", 8081,
                endpoint("10.244.2.7", null, null, null, "node-2"))).create();
        client.services().resource(service("kube-system", "dns", "10.96.0.53", "dns", "UDP", 53, "53")).create();
        client.services().resource(service("default", "headless", "None", "http", "TCP", 80, "80")).create();
        client.discovery().v1().endpointSlices().resource(slice("default", "headless-x", "headless", "http", 80,
                endpoint("10.244.1.9", true, null, null, "node-1"))).create();
        client.services().resource(new ServiceBuilder().withNewMetadata().withNamespace("default").withName("ext")
                .endMetadata().withNewSpec().withType("ExternalName").withExternalName("example.org").endSpec().build())
                .create();
        RecordingProxy proxy = new RecordingProxy();

        try (ServiceSync sync = new ServiceSync(client, proxy, Duration.ofMinutes(10), Duration.ofMillis(100))) {
            sync.start(Duration.ofSeconds(10));
            assertThat(proxy.snapshot()).first().isEqualTo("replaceAll ["
                    + "default/web [10.96.0.10] [http/TCP/80] [10.244.1.5[http=8080]RS@node-1, "
                    + "10.244.1.6[http=8080]ST@node-1, 10.244.2.7[http=8081]RS@node-2], "
                    + "kube-system/dns [10.96.0.53] [dns/UDP/53] []]");
            Thread.sleep(500);
            assertThat(proxy.snapshot()).as("the first list's events add no calls").hasSize(1);
        }
    }

    @Test
    void changesAreSentPerServiceOnceABatchAndDeletionsRemove() throws InterruptedException {
        client.services().resource(service("default", "web", "10.96.0.10", "http", "TCP", 80, "8080")).create();
        RecordingProxy proxy = new RecordingProxy();

        try (ServiceSync sync = new ServiceSync(client, proxy, Duration.ofMinutes(10), Duration.ofSeconds(1))) {
            sync.start(Duration.ofSeconds(10));
            assertThat(proxy.snapshot()).containsExactly("replaceAll [default/web [10.96.0.10] [http/TCP/80] []]");

            // Five quick changes to one Service's slice, plus a new Service: one call each, with the last state.
            client.discovery().v1().endpointSlices().resource(slice("default", "web-1", "web", "http", 8080,
                    endpoint("10.244.1.5", true, null, null, null))).create();
            for (int i = 6; i <= 9; i++) {
                String ip = "10.244.1." + i;
                client.discovery().v1().endpointSlices().inNamespace("default").withName("web-1").edit(s -> {
                    s.getEndpoints().add(endpoint(ip, true, null, null, null));
                    return s;
                });
            }
            client.services().resource(service("default", "api", "10.96.0.11", "grpc", "TCP", 9000, "9000")).create();
            String web = "upsert default/web [10.96.0.10] [http/TCP/80] [10.244.1.5[http=8080]RS, "
                    + "10.244.1.6[http=8080]RS, 10.244.1.7[http=8080]RS, 10.244.1.8[http=8080]RS, 10.244.1.9[http=8080]RS]";
            awaitCall(proxy, web::equals);
            awaitCall(proxy, "upsert default/api [10.96.0.11] [grpc/TCP/9000] []"::equals);
            Thread.sleep(1500);
            assertThat(proxy.count(c -> c.startsWith("upsert default/web"))).as("calls: %s", proxy.snapshot())
                    .isEqualTo(1);
            assertThat(proxy.count(c -> c.startsWith("upsert default/api"))).isEqualTo(1);

            // An endpoint terminating, then the slice gone, then the Service gone.
            client.discovery().v1().endpointSlices().inNamespace("default").withName("web-1").edit(s -> {
                s.getEndpoints().removeIf(e -> !e.getAddresses().get(0).equals("10.244.1.5"));
                s.getEndpoints().get(0).setConditions(conditions(false, true, true));
                return s;
            });
            awaitCall(proxy, "upsert default/web [10.96.0.10] [http/TCP/80] [10.244.1.5[http=8080]ST]"::equals);
            client.discovery().v1().endpointSlices().inNamespace("default").withName("web-1").delete();
            awaitCall(proxy, "upsert default/web [10.96.0.10] [http/TCP/80] []"::equals);
            client.services().inNamespace("default").withName("web").delete();
            awaitCall(proxy, "remove default/web"::equals);
        }
    }

    @Test
    void aFailedCallLeadsToAFullSyncSoon() throws InterruptedException {
        client.services().resource(service("default", "web", "10.96.0.10", "http", "TCP", 80, "8080")).create();
        RecordingProxy proxy = new RecordingProxy();

        try (ServiceSync sync = new ServiceSync(client, proxy, Duration.ofMinutes(10), Duration.ofMillis(50))) {
            sync.start(Duration.ofSeconds(10));
            proxy.failNextUpsert = true;
            client.services().resource(service("default", "api", "10.96.0.11", "grpc", "TCP", 9000, "9000")).create();
            awaitCall(proxy, "failed upsert default/api"::equals);
            int failedAt = proxy.snapshot().indexOf("failed upsert default/api");
            String full = "replaceAll [default/api [10.96.0.11] [grpc/TCP/9000] [], default/web [10.96.0.10] "
                    + "[http/TCP/80] []]";
            awaitCall(proxy, c -> c.equals(full) && proxy.snapshot().lastIndexOf(c) > failedAt);
        }
    }

    // ------------------------------------------------------------------ objects

    static io.fabric8.kubernetes.api.model.Service service(String namespace, String name, String clusterIp,
            String portName, String protocol, int port, String targetPort) {
        IntOrString target = targetPort.chars().allMatch(Character::isDigit) ? new IntOrString(Integer.parseInt(targetPort))
                : new IntOrString(targetPort);
        return new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIp).withClusterIPs(clusterIp)
                .withPorts(new ServicePortBuilder().withName(portName).withProtocol(protocol).withPort(port)
                        .withTargetPort(target).build())
                .endSpec().build();
    }

    static EndpointSlice slice(String namespace, String name, String service, String portName, int port,
            io.fabric8.kubernetes.api.model.discovery.v1.Endpoint... endpoints) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(namespace).withName(name)
                .withLabels(Map.of(ServiceObjects.SERVICE_NAME_LABEL, service)).endMetadata()
                .withAddressType("IPv4")
                .withPorts(new EndpointPortBuilder().withName(portName).withProtocol("TCP").withPort(port).build())
                .withEndpoints(new ArrayList<>(List.of(endpoints))).build();
    }

    static io.fabric8.kubernetes.api.model.discovery.v1.Endpoint endpoint(String ip, Boolean ready, Boolean serving,
            Boolean terminating, String nodeName) {
        return new EndpointBuilder().withAddresses(ip).withConditions(conditions(ready, serving, terminating))
                .withNodeName(nodeName).build();
    }

    static EndpointConditions conditions(Boolean ready, Boolean serving, Boolean terminating) {
        return new EndpointConditionsBuilder().withReady(ready).withServing(serving).withTerminating(terminating).build();
    }

    private static void awaitCall(RecordingProxy proxy, Predicate<String> call) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (proxy.snapshot().stream().anyMatch(call)) {
                return;
            }
            Thread.sleep(20);
        }
        assertThat(proxy.snapshot()).as("proxy calls").anyMatch(call);
    }
}
