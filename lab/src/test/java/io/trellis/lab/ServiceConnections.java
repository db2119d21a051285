package io.trellis.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * What the lab's Service tests share: the python3 client they run in a pod ({@code lab exec}), a node's host
 * network or the outside namespace, the parsing of its counts, and waiting for the API's view of a Service.
 */
final class ServiceConnections {

    /**
     * {@code IP PORT MODE N TIMEOUT [SPORT]}: N new connections to IP:PORT, each from a new socket (from source
     * port SPORT when given and not 0); prints {answer or "error:TYPE": count} as JSON. tcp: connect, read until
     * EOF (the workload writes "NS/POD" and closes); udp: "?" (answer "NS/POD"); who: "who" over UDP (answer
     * "NS/POD CLIENT-IP"); UDP sends up to 3 times, TIMEOUT seconds each.
     */
    static final String SCRIPT = """
            import collections, json, socket, sys
            ip, port, mode, n, timeout = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
            sport = int(sys.argv[6]) if len(sys.argv) > 6 else 0
            counts = collections.Counter()
            for _ in range(n):
                try:
                    kind = socket.SOCK_STREAM if mode == "tcp" else socket.SOCK_DGRAM
                    with socket.socket(socket.AF_INET, kind) as s:
                        if sport:
                            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                            s.bind(("", sport))
                        s.settimeout(timeout)
                        s.connect((ip, port))
                        data = b""
                        if mode == "tcp":
                            while True:
                                chunk = s.recv(256)
                                if not chunk:
                                    break
                                data += chunk
                        else:
                            for _ in range(3):
                                s.send(b"who" if mode == "who" else b"?")
                                try:
                                    data = s.recv(256)
                                    break
                                except socket.timeout:
                                    pass
                            if not data:
                                raise socket.timeout("no answer")
                    counts[data.decode().strip() or "error:empty"] += 1
                except Exception as e:
                    counts["error:" + type(e).__name__] += 1
            print(json.dumps(counts))
            """;

    private ServiceConnections() {
    }

    /** The command line after the runner's prefix ({@code lab exec POD --}, {@code ip netns exec NS}). */
    static List<String> command(String ip, int port, String mode, int count, double timeoutSeconds, int sourcePort) {
        return List.of("python3", "-c", SCRIPT, ip, Integer.toString(port), mode, Integer.toString(count),
                Double.toString(timeoutSeconds), Integer.toString(sourcePort));
    }

    /** The counts {@link #SCRIPT} printed (its last line); they must add up to {@code count}. */
    static Map<String, Integer> counts(String stdout, int count) {
        List<String> lines = stdout.strip().lines().toList();
        assertThat(lines).as("client output").isNotEmpty();
        JsonNode json = Serialization.jsonMapper().readTree(lines.get(lines.size() - 1));
        Map<String, Integer> counts = new TreeMap<>();
        json.properties().forEach(e -> counts.put(e.getKey(), e.getValue().asInt()));
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).as("%s", counts).isEqualTo(count);
        return counts;
    }

    static List<EndpointSlice> slices(KubernetesClient client, String namespace, String service) {
        return client.discovery().v1().endpointSlices().inNamespace(namespace)
                .withLabel("kubernetes.io/service-name", service).list().getItems();
    }

    static List<Endpoint> endpoints(List<EndpointSlice> slices) {
        return slices.stream().flatMap(s -> s.getEndpoints() == null ? Stream.<Endpoint>empty()
                : s.getEndpoints().stream()).toList();
    }

    static List<Endpoint> readyEndpoints(List<EndpointSlice> slices) {
        return endpoints(slices).stream().filter(e -> Boolean.TRUE.equals(e.getConditions().getReady())).toList();
    }

    /** Polls {@code value} until {@code done} holds for it (null never does); fails naming {@code what}. */
    static <T> T awaitValue(String what, Duration timeout, Supplier<T> value, Predicate<T> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = value.get();
        while (last == null || !done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last: " + last);
            }
            Thread.sleep(100);
            last = value.get();
        }
        return last;
    }
}
