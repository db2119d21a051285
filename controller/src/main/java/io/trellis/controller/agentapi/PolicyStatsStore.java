package io.trellis.controller.agentapi;

import com.sun.net.httpserver.HttpExchange;
import io.trellis.controlplane.stream.PolicyStatisticsJson;
import io.trellis.controlplane.stream.PolicyStreamProtocol;
import io.trellis.controlplane.stream.PolicyWireException;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IsolationDropCounters;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyStatistics;
import io.trellis.spi.policy.RuleCounters;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Policy statistics from the agents: the latest cumulative reading of each node ({@code POST
 * /v1/policy/stats}, replacing that node's previous one) and their sums per policy rule and per
 * isolated pod ({@code GET /v1/policy/stats[?namespace=NS]}). Counters restart from zero when an
 * agent's enforcer re-installs its flows, so the sums can go down; they are what the nodes report
 * now, not a history.
 */
final class PolicyStatsStore {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyStatsStore.class);
    /** A report larger than this is refused: even 100,000 rules stay far below it. */
    static final int MAX_REPORT_BYTES = 32 * 1024 * 1024;

    private final PolicyStatisticsJson json = new PolicyStatisticsJson();
    private final Map<String, PolicyStatistics> latest = new HashMap<>();

    synchronized void record(String node, PolicyStatistics statistics) {
        latest.put(node, statistics);
    }

    /** The sums over all nodes, only the given namespace's when present, sorted by policy and pod. */
    synchronized PolicyStatistics sum(Optional<String> namespace) {
        Map<RuleKey, long[]> rules = new TreeMap<>(RuleKey.ORDER);
        Map<DropKey, long[]> drops = new TreeMap<>(DropKey.ORDER);
        for (PolicyStatistics s : latest.values()) {
            for (RuleCounters r : s.rules()) {
                if (namespace.isEmpty() || namespace.get().equals(r.ref().namespace())) {
                    add(rules.computeIfAbsent(new RuleKey(r.ref(), r.direction(), r.index()), k -> new long[3]),
                            r.sessions(), r.packets(), r.bytes());
                }
            }
            for (IsolationDropCounters d : s.isolationDrops()) {
                if (namespace.isEmpty() || namespace.get().equals(d.pod().namespace())) {
                    add(drops.computeIfAbsent(new DropKey(d.pod(), d.direction()), k -> new long[3]), 0, d.packets(),
                            d.bytes());
                }
            }
        }
        List<RuleCounters> ruleList = new ArrayList<>();
        rules.forEach((k, v) -> ruleList.add(new RuleCounters(k.ref(), k.direction(), k.index(), v[0], v[1], v[2])));
        List<IsolationDropCounters> dropList = new ArrayList<>();
        drops.forEach((k, v) -> dropList.add(new IsolationDropCounters(k.pod(), k.direction(), v[1], v[2])));
        return new PolicyStatistics(ruleList, dropList);
    }

    void handle(HttpExchange exchange, String node, Map<String, String> query) throws IOException {
        switch (exchange.getRequestMethod()) {
            case "POST" -> {
                Optional<String> body = readBody(exchange);
                if (body.isEmpty()) {
                    PolicyStreamServer.sendText(exchange, 413, "statistics report larger than " + MAX_REPORT_BYTES
                            + " bytes");
                    return;
                }
                PolicyStatistics statistics;
                try {
                    statistics = json.decode(body.get());
                } catch (PolicyWireException e) {
                    LOG.warn("node {} sent unreadable policy statistics: {}", node, e.getMessage());
                    PolicyStreamServer.sendText(exchange, 400, e.getMessage());
                    return;
                }
                record(node, statistics);
                exchange.sendResponseHeaders(204, -1);
            }
            case "GET" -> {
                Optional<String> namespace = Optional.ofNullable(query.get(PolicyStreamProtocol.NAMESPACE_PARAM))
                        .filter(ns -> !ns.isEmpty());
                byte[] out = json.encode(sum(namespace)).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", PolicyStreamProtocol.JSON_CONTENT_TYPE);
                exchange.sendResponseHeaders(200, out.length);
                exchange.getResponseBody().write(out);
            }
            default -> {
                exchange.getResponseHeaders().set("Allow", "GET, POST");
                PolicyStreamServer.sendText(exchange, 405, "use GET or POST");
            }
        }
    }

    private static Optional<String> readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_REPORT_BYTES + 1);
            if (bytes.length > MAX_REPORT_BYTES) {
                return Optional.empty();
            }
            return Optional.of(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    private static void add(long[] sums, long sessions, long packets, long bytes) {
        // Saturate rather than wrap: a negative counter would be rejected, and is never true.
        sums[0] = saturatedAdd(sums[0], sessions);
        sums[1] = saturatedAdd(sums[1], packets);
        sums[2] = saturatedAdd(sums[2], bytes);
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    private record RuleKey(PolicyRef ref, Direction direction, int index) {
        static final Comparator<RuleKey> ORDER = Comparator.comparing((RuleKey k) -> k.ref().namespace())
                .thenComparing(k -> k.ref().name()).thenComparing(RuleKey::direction).thenComparingInt(RuleKey::index);
    }

    private record DropKey(PodRef pod, Direction direction) {
        static final Comparator<DropKey> ORDER = Comparator.comparing((DropKey k) -> k.pod().namespace())
                .thenComparing(k -> k.pod().name()).thenComparing(DropKey::direction);
    }
}
