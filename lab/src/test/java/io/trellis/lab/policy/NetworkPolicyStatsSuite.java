package io.trellis.lab.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * NetworkPolicy statistics end to end, as root, on a 2-node lab with samples/netpol-xyz.yaml: a policy lets x/b
 * reach x/a on TCP 80 (ingress rule 0 of x/allow-b); N new connections from x/b and some from x/c (denied);
 * then {@code ./trellis lab stats -n x -o json} (trellisctl against the controller's agent API with the lab's
 * CA and a node's token) must show exactly N sessions on that rule, within the agents' 10 s report interval,
 * still N one report later, and isolation drops for x/a ingress. Own lab, always taken down. The same for every
 * data plane: a backend runs it by extending it and naming its lab backend in {@link #backend()}.
 */
abstract class NetworkPolicyStatsSuite {
    private static final int ALLOWED_CONNECTIONS = 25;
    private static final int DENIED_CONNECTIONS = 5;
    /** Agents report every 10 s; the controller's sums follow their latest report. */
    private static final Duration REPORTED = Duration.ofSeconds(60);
    private static final Duration REPORT_INTERVAL = Duration.ofSeconds(10);

    /** {@code IP PORT N TIMEOUT}: N new TCP connections, each read until EOF; prints {answer or error: count}. */
    private static final String CLIENT = """
            import collections, json, socket, sys
            ip, port, n, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
            counts = collections.Counter()
            for _ in range(n):
                try:
                    with socket.create_connection((ip, port), timeout=timeout) as s:
                        data = b""
                        while True:
                            chunk = s.recv(256)
                            if not chunk:
                                break
                            data += chunk
                    counts[data.decode().strip() or "error:empty"] += 1
                except Exception as e:
                    counts["error:" + type(e).__name__] += 1
            print(json.dumps(counts))
            """;

    private static final String ALLOW_B = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-b, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - podSelector: {matchLabels: {pod: b}}
                ports:
                - {protocol: TCP, port: 80}
            """;

    private final Path home = Path.of("").toAbsolutePath().getParent();

    /** The `lab up --backend` value. */
    protected abstract String backend();

    @Test
    void ruleSessionsAndIsolationDropsReachTrellisctl() throws Exception {
        try (PolicyLab lab = new PolicyLab(home, Files.createTempDirectory(Path.of("/tmp"), "tlabnst" + backend()),
                backend())) {
            lab.up(2);
            lab.apply(ALLOW_B);
            String xa = lab.ip("x/a");

            // The policy is in force once x/c no longer reaches x/a (x/b's connections must all count).
            long deadline = System.nanoTime() + PolicyLab.SETTLE.toNanos();
            Map<String, Integer> probe = connect(lab, "x/c", xa, 1, 1.0);
            while (probe.containsKey("x/a")) {
                assertThat(System.nanoTime()).as("x/c still reaches x/a %s after the policy", PolicyLab.SETTLE)
                        .isLessThan(deadline);
                Thread.sleep(500);
                probe = connect(lab, "x/c", xa, 1, 1.0);
            }

            assertThat(connect(lab, "x/b", xa, ALLOWED_CONNECTIONS, 3.0))
                    .as("x/b -> x/a:80, allowed").isEqualTo(Map.of("x/a", ALLOWED_CONNECTIONS));
            assertThat(connect(lab, "x/c", xa, DENIED_CONNECTIONS, 1.0))
                    .as("x/c -> x/a:80, denied").doesNotContainKey("x/a")
                    .satisfies(c -> assertThat(c.values().stream().mapToInt(Integer::intValue).sum())
                            .isEqualTo(DENIED_CONNECTIONS));

            JsonNode stats = awaitStats(lab, s -> sessions(s) == ALLOWED_CONNECTIONS && ingressDropsOfXa(s) > 0);
            assertThat(sessions(stats)).as("sessions of x/allow-b ingress rule 0: %s", stats)
                    .isEqualTo(ALLOWED_CONNECTIONS);
            JsonNode rule = rule(stats);
            // Each connection: SYN, ACK, the answer's ACK, FIN and ACK at least from the client.
            assertThat(rule.path("packets").asLong()).as("%s", rule).isGreaterThanOrEqualTo(3L * ALLOWED_CONNECTIONS);
            assertThat(rule.path("bytes").asLong()).as("%s", rule).isGreaterThan(rule.path("packets").asLong() * 40);
            assertThat(ingressDropsOfXa(stats)).as("isolation drops of x/a ingress: %s", stats).isPositive();
            for (JsonNode r : stats.path("rules")) {
                assertThat(r.path("namespace").asString()).as("-n x: %s", stats).isEqualTo("x");
            }

            // One more report from every agent must not count the connections again.
            Thread.sleep(REPORT_INTERVAL.plusSeconds(2).toMillis());
            assertThat(sessions(statsJson(lab))).as("sessions one report later").isEqualTo(ALLOWED_CONNECTIONS);

            PolicyLab.Run table = lab.check("stats", "-n", "x");
            assertThat(table.stdout().lines().toList())
                    .as(table.stdout())
                    .first().asString().matches("NAMESPACE +POLICY +DIRECTION +RULE +SESSIONS +PACKETS +BYTES");
            assertThat(table.stdout()).as(table.stdout())
                    .containsPattern("(?m)^x +allow-b +Ingress +0 +" + ALLOWED_CONNECTIONS + " +\\d+ +\\d+$")
                    .containsPattern("(?m)^x +a +Ingress +[1-9]\\d* +[1-9]\\d*$");
        }
    }

    /** {@link #CLIENT} in pod "NS/POD" through {@code lab exec}: answers (pod names) and errors, counted. */
    private static Map<String, Integer> connect(PolicyLab lab, String from, String ip, int count, double timeout)
            throws Exception {
        PolicyLab.Run run = lab.check("exec", from, "--", "python3", "-c", CLIENT, ip, "80", Integer.toString(count),
                Double.toString(timeout));
        List<String> lines = run.stdout().strip().lines().toList();
        assertThat(lines).as("client output of %s: %s", from, run.stderr()).isNotEmpty();
        JsonNode json = Serialization.jsonMapper().readTree(lines.get(lines.size() - 1));
        Map<String, Integer> counts = new TreeMap<>();
        json.properties().forEach(e -> counts.put(e.getKey(), e.getValue().asInt()));
        return counts;
    }

    private static JsonNode statsJson(PolicyLab lab) throws Exception {
        PolicyLab.Run run = lab.check("stats", "-n", "x", "-o", "json");
        return Serialization.jsonMapper().readTree(run.stdout().strip());
    }

    private static JsonNode awaitStats(PolicyLab lab, java.util.function.Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + REPORTED.toNanos();
        List<String> seen = new ArrayList<>();
        while (true) {
            JsonNode stats = statsJson(lab);
            if (done.test(stats)) {
                return stats;
            }
            seen.add(stats.toString());
            if (System.nanoTime() > deadline) {
                throw new AssertionError("after " + REPORTED + " the statistics show " + sessions(stats)
                        + " sessions (want " + ALLOWED_CONNECTIONS + ") and " + ingressDropsOfXa(stats)
                        + " x/a ingress drops (want > 0); last answers: " + seen.subList(Math.max(0, seen.size() - 3),
                        seen.size()));
            }
            Thread.sleep(2000);
        }
    }

    /** Ingress rule 0 of x/allow-b, or a missing node when the controller has no counters for it. */
    private static JsonNode rule(JsonNode stats) {
        for (JsonNode r : stats.path("rules")) {
            if (r.path("namespace").asString().equals("x") && r.path("name").asString().equals("allow-b")
                    && r.path("direction").asString().equals("INGRESS") && r.path("index").asInt() == 0) {
                return r;
            }
        }
        return stats.path("no such rule");
    }

    private static long sessions(JsonNode stats) {
        JsonNode rule = rule(stats);
        return rule.isMissingNode() ? -1 : rule.path("sessions").asLong();
    }

    private static long ingressDropsOfXa(JsonNode stats) {
        for (JsonNode d : stats.path("isolationDrops")) {
            if (d.path("namespace").asString().equals("x") && d.path("pod").asString().equals("a")
                    && d.path("direction").asString().equals("INGRESS")) {
                return d.path("packets").asLong();
            }
        }
        return 0;
    }
}
