package io.trellis.bench;

import io.trellis.controller.networkpolicy.LabelSelector;
import io.trellis.controller.networkpolicy.NamespaceInfo;
import io.trellis.controller.networkpolicy.PeerSpec;
import io.trellis.controller.networkpolicy.PodInfo;
import io.trellis.controller.networkpolicy.PodPhase;
import io.trellis.controller.networkpolicy.PolicyComputation;
import io.trellis.controller.networkpolicy.PolicySpec;
import io.trellis.controller.networkpolicy.RuleSpec;
import io.trellis.controlplane.policy.NamedPort;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import io.trellis.controlplane.policy.PolicyObjectSink;
import io.trellis.controlplane.policy.RulePort;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IpBlock;
import io.trellis.spi.policy.PolicyRef;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The controller's NetworkPolicy computation from scratch at the scale of Antrea's published
 * controller benchmark (BenchmarkInitXLargeScaleWithSmallNamespaces: 25,000 namespaces with 4 pods
 * and 3 policies each = 100,000 pods, 75,000 policies): wall time until every object is published
 * to a sink that keeps them (as the agent channel does), peak and retained heap; then the cost of
 * single pod label changes on the built model. In-process, no API server.
 *
 * <p>Per namespace {@code ns-i} (labels {@code name=ns-i}, {@code tier=i%3}) pods {@code app=a..d}
 * on nodes {@code i*4+j mod nodes}, and policies: (1) {@code app=a} ingress from {@code app=b} on
 * TCP 80; (2) {@code app=b} ingress from {@code name=ns-i} namespaces' {@code app=c} pods (a
 * namespaceSelector group per namespace) and egress to an ipBlock; (3) every pod egress to the
 * {@code app=d} pods of {@code tier=i%3} namespaces on the named port {@code http}.
 *
 * <p>{@code java ... io.trellis.bench.PolicyComputationBench [--namespaces N] [--nodes M] [--report FILE]}
 */
public final class PolicyComputationBench {
    static final String NAME = "policy-computation";

    private PolicyComputationBench() {
    }

    public static void main(String[] args) throws Exception {
        int namespaces = 25_000;
        int nodes = 1_000;
        Path report = null;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--namespaces" -> namespaces = Integer.parseInt(args[i + 1]);
                case "--nodes" -> nodes = Integer.parseInt(args[i + 1]);
                case "--report" -> report = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--namespaces N, --nodes M, --report FILE)");
            }
        }
        Result result = run(namespaces, nodes);
        System.out.println(result.markdown());
        if (report != null) {
            new BenchReport(report).writeSection(NAME, result.markdown());
        }
        System.out.println(result.line());
    }

    record Result(int namespaces, int pods, int policies, int nodes, long buildMillis, long publishMillis, long cpuMillis,
            long gcMillis,
            Map<PolicyObjectKey.Kind, Integer> objects, long publishedCalls, long peakHeapMib, long retainedHeapMib,
            double labelChangeMicros, int labelChanges, long maxHeapMib, String load) {
        String markdown() {
            return """
                    ## NetworkPolicy computation from scratch (controller)

                    `PolicyComputationBench --namespaces %d --nodes %d` (in-process, JVM -Xmx%dm): %,d namespaces,
                    %,d pods, %,d policies, %,d nodes, the shape of Antrea's `BenchmarkInitXLargeScaleWithSmallNamespaces`
                    (Antrea reports about 6 s and 1.6 GB for it).

                    | measure | value |
                    | --- | --- |
                    | feed namespaces, pods, policies (groups evaluated as policies arrive) | %,d ms |
                    | first publish of the full set | %,d ms |
                    | **total, from scratch** | **%,d ms** (CPU time of the computing thread: %,d ms; time in GC per the collector MXBeans: %,d ms) |
                    | objects published (applied-to groups / address groups / policies) | %,d / %,d / %,d (%,d sink calls) |
                    | peak heap in use (sum of the heap pools' peaks) | %,d MiB |
                    | heap retained after a full GC (model + the sink's copy of every object) | %,d MiB |
                    | pod label change on the built model, mean of %,d (recompute + publish) | %.1f µs |

                    Load average at the end: %s. On a shared 2-core machine the wall time moves with the
                    load; the computing thread's CPU time is the steadier figure.
                    """.formatted(namespaces, nodes, maxHeapMib, namespaces, pods, policies, nodes, buildMillis,
                    publishMillis, buildMillis + publishMillis, cpuMillis, gcMillis, objects.getOrDefault(PolicyObjectKey.Kind.APPLIED_TO_GROUP, 0),
                    objects.getOrDefault(PolicyObjectKey.Kind.ADDRESS_GROUP, 0),
                    objects.getOrDefault(PolicyObjectKey.Kind.POLICY, 0), publishedCalls, peakHeapMib, retainedHeapMib,
                    labelChanges, labelChangeMicros, load);
        }

        String line() {
            return "%s namespaces=%d pods=%d policies=%d total_ms=%d cpu_ms=%d peak_heap_mib=%d retained_heap_mib=%d label_change_us=%.1f"
                    .formatted(NAME, namespaces, pods, policies, buildMillis + publishMillis, cpuMillis, peakHeapMib, retainedHeapMib,
                            labelChangeMicros);
        }
    }

    /** Keeps every published object, as the agent channel does. */
    private static final class KeepingSink implements PolicyObjectSink {
        final Map<PolicyObjectKey, PolicyObject> objects = new HashMap<>();
        long calls;

        @Override
        public void upsert(PolicyObject object, Set<String> span) {
            objects.put(object.key(), object);
            calls++;
        }

        @Override
        public void remove(PolicyObjectKey key) {
            objects.remove(key);
            calls++;
        }
    }

    static Result run(int namespaceCount, int nodeCount) throws UnknownHostException {
        System.gc();
        resetPeaks();
        KeepingSink sink = new KeepingSink();
        PolicyComputation computation = new PolicyComputation(sink);
        List<PodInfo> pods = new ArrayList<>();
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long gcStart = gcMillis();
        long start = System.nanoTime();
        for (int i = 0; i < namespaceCount; i++) {
            String ns = "ns-" + i;
            computation.upsertNamespace(new NamespaceInfo(ns, Map.of("name", ns, "tier", "t" + (i % 3),
                    "kubernetes.io/metadata.name", ns)));
            for (int j = 0; j < 4; j++) {
                int n = i * 4 + j;
                PodInfo pod = new PodInfo(new PodRef(ns, "pod-" + j), Map.of("app", String.valueOf((char) ('a' + j))),
                        Optional.of("node-" + (n % nodeCount)),
                        List.of(InetAddress.getByAddress(new byte[] {10, (byte) (n >> 16), (byte) (n >> 8), (byte) n})),
                        PodPhase.RUNNING, List.of(new NamedPort("http", Protocol.TCP, 8080)));
                pods.add(pod);
                computation.upsertPod(pod);
            }
            for (PolicySpec policy : policies(ns, i)) {
                computation.upsertPolicy(policy);
            }
        }
        long built = System.nanoTime();
        computation.startPublishing();
        long published = System.nanoTime();
        long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
        long gc = gcMillis() - gcStart;
        long peak = heapPeakBytes();
        Map<PolicyObjectKey.Kind, Integer> counts = new EnumMap<>(PolicyObjectKey.Kind.class);
        sink.objects.keySet().forEach(k -> counts.merge(k.kind(), 1, Integer::sum));
        long calls = sink.calls;
        System.gc();
        long retained = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();

        // Label changes: a pod leaves, then re-joins, the groups selecting app=b (applied-to and address groups).
        int changes = 2_000;
        long changeStart = System.nanoTime();
        for (int c = 0; c < changes; c++) {
            PodInfo pod = pods.get((c * 7919) % pods.size());
            Map<String, String> labels = c % 2 == 0 ? Map.of("app", "b") : pod.labels();
            computation.upsertPod(new PodInfo(pod.pod(), labels, pod.node(), pod.ips(), pod.phase(), pod.ports()));
            computation.upsertPod(pod);
        }
        double perChange = (System.nanoTime() - changeStart) / 1000.0 / (2.0 * changes);
        return new Result(namespaceCount, pods.size(), namespaceCount * 3, nodeCount,
                (built - start) / 1_000_000, (published - built) / 1_000_000, cpu / 1_000_000, gc, counts, calls, peak >> 20, retained >> 20,
                perChange, 2 * changes, Runtime.getRuntime().maxMemory() >> 20, MachineLoad.loadAverage());
    }

    private static List<PolicySpec> policies(String ns, int i) {
        LabelSelector a = LabelSelector.matchLabels(Map.of("app", "a"));
        LabelSelector b = LabelSelector.matchLabels(Map.of("app", "b"));
        LabelSelector c = LabelSelector.matchLabels(Map.of("app", "c"));
        LabelSelector d = LabelSelector.matchLabels(Map.of("app", "d"));
        PolicySpec p1 = new PolicySpec(ns + "-p1", new PolicyRef(ns, "p1"), a, Set.of(Direction.INGRESS),
                List.of(new RuleSpec(List.of(new PeerSpec.Pods(Optional.empty(), Optional.of(b))),
                        List.of(RulePort.number(Protocol.TCP, 80)))), List.of());
        PolicySpec p2 = new PolicySpec(ns + "-p2", new PolicyRef(ns, "p2"), b, Set.of(Direction.INGRESS, Direction.EGRESS),
                List.of(new RuleSpec(List.of(new PeerSpec.Pods(Optional.of(LabelSelector.matchLabels(Map.of("name", ns))),
                        Optional.of(c))), List.of())),
                List.of(new RuleSpec(List.of(new PeerSpec.Addresses(new IpBlock(IpPrefix.parse("10.0.0.0/8"),
                        List.of(IpPrefix.parse("10.1.0.0/16"))))), List.of(RulePort.number(Protocol.UDP, 53)))));
        PolicySpec p3 = new PolicySpec(ns + "-p3", new PolicyRef(ns, "p3"), LabelSelector.EVERYTHING,
                Set.of(Direction.EGRESS), List.of(),
                List.of(new RuleSpec(List.of(new PeerSpec.Pods(Optional.of(LabelSelector.matchLabels(
                        Map.of("tier", "t" + (i % 3)))), Optional.of(d))), List.of(RulePort.named(Protocol.TCP, "http")))));
        return List.of(p1, p2, p3);
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).filter(t -> t > 0).sum();
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long heapPeakBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
