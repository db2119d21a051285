package io.trellis.bench;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditionsBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes the benchmark's Services and EndpointSlices straight to the API stand-in, the way a control
 * plane's controllers would, as fast as the stand-in takes them: its own process in the node's
 * namespace (where the stand-in listens on 127.0.0.1), plain creates (no read first), Service i and
 * then its slice on each of {@code threads} writers, so Service i is usable once its slice is written.
 *
 * <p>{@code ScaleWriter URL COUNT THREADS NODE_NAME IP...}; prints {@code ready} once its client is
 * built and starts writing when a line arrives on stdin (the JVM's start-up is not part of the
 * timing); prints {@code written N} every 500 Services and {@code done N} at the end; exits non-zero
 * on the first failed write.
 */
public final class ScaleWriter {
    private ScaleWriter() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: ScaleWriter URL COUNT THREADS NODE_NAME IP...");
            System.exit(2);
        }
        String url = args[0];
        int count = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        String nodeName = args[3];
        List<String> ips = List.of(args).subList(4, args.length);
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).withRequestTimeout(120_000).build();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger written = new AtomicInteger();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            // Warm up the client's serialization on an object the agent ignores (another namespace's ConfigMap).
            client.configMaps().inNamespace("scale-writer").resource(new ConfigMapBuilder()
                    .withNewMetadata().withName("warm-up").endMetadata().build()).create();
            System.out.println("ready");
            System.out.flush();
            if (new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                    .readLine() == null) {
                System.exit(1);
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    // Services in index order across the writers: the last index is among the last written.
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        ScaleService s = new ScaleService(i);
                        client.services().inNamespace(ScaleService.NAMESPACE).resource(service(s)).create();
                        client.discovery().v1().endpointSlices().inNamespace(ScaleService.NAMESPACE)
                                .resource(slice(s, nodeName, ips)).create();
                        int n = written.incrementAndGet();
                        if (n % 500 == 0) {
                            synchronized (System.out) {
                                System.out.println("written " + n);
                                System.out.flush();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
            pool.shutdown();
        } catch (Exception e) {
            System.err.println("write failed: " + e);
            System.out.println("failed " + e.getMessage());
            System.out.flush();
            System.exit(1);
        }
        System.out.println(String.format(Locale.ROOT, "done %d", written.get()));
        System.out.flush();
        System.exit(0);
    }

    /** A TCP ClusterIP Service with one port, whose named targetPort the slice resolves. */
    static Service service(ScaleService s) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ScaleService.NAMESPACE).withName(s.name()).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(s.clusterIp()).withClusterIPs(s.clusterIp())
                .withPorts(new ServicePortBuilder().withName(ScaleService.PORT_NAME).withProtocol("TCP")
                        .withPort(ScaleService.PORT).withTargetPort(new IntOrString(ScaleService.PORT_NAME)).build())
                .endSpec().build();
    }

    /** The Service's one IPv4 slice: a ready endpoint per IP on this node, the named port. */
    static EndpointSlice slice(ScaleService s, String nodeName, List<String> ips) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String ip : ips) {
            endpoints.add(new EndpointBuilder().withAddresses(ip).withNodeName(nodeName)
                    .withConditions(new EndpointConditionsBuilder().withReady(true).withServing(true)
                            .withTerminating(false).build())
                    .build());
        }
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(ScaleService.NAMESPACE).withName(s.sliceName())
                .withLabels(Map.of("kubernetes.io/service-name", s.name())).endMetadata()
                .withAddressType("IPv4").withPorts(new EndpointPortBuilder().withName(ScaleService.PORT_NAME)
                        .withProtocol("TCP").withPort(ScaleService.TARGET_PORT).build())
                .withEndpoints(endpoints).build();
    }
}
