package io.trellis.controlplane.stream;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IsolationDropCounters;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyStatistics;
import io.trellis.spi.policy.RuleCounters;
import java.util.List;

/**
 * The JSON form of {@link PolicyStatistics}: what an agent posts to {@code /v1/policy/stats} (its
 * cumulative counters) and what the controller answers there (the sums over all nodes):
 * <pre>
 * {"rules":[{"namespace":"x","name":"allow-web","direction":"INGRESS","index":0,"sessions":3,"packets":30,"bytes":3000}],
 *  "isolationDrops":[{"namespace":"x","pod":"a","direction":"INGRESS","packets":2,"bytes":120}]}
 * </pre>
 * Decoding is strict like {@link StreamEventCodec}'s.
 */
public final class PolicyStatisticsJson {
    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    public String encode(PolicyStatistics statistics) {
        requireNonNull(statistics, "statistics");
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode rules = out.putArray("rules");
        for (RuleCounters r : statistics.rules()) {
            rules.addObject().put("namespace", r.ref().namespace()).put("name", r.ref().name())
                    .put("direction", r.direction().name()).put("index", r.index()).put("sessions", r.sessions())
                    .put("packets", r.packets()).put("bytes", r.bytes());
        }
        ArrayNode drops = out.putArray("isolationDrops");
        for (IsolationDropCounters d : statistics.isolationDrops()) {
            drops.addObject().put("namespace", d.pod().namespace()).put("pod", d.pod().name())
                    .put("direction", d.direction().name()).put("packets", d.packets()).put("bytes", d.bytes());
        }
        try {
            return mapper.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    public PolicyStatistics decode(String text) {
        requireNonNull(text, "text");
        JsonFields in = JsonFields.of(StreamEventCodec.parse(mapper, text, "policy statistics"), "");
        List<RuleCounters> rules = in.objects("rules", r -> {
            String namespace = r.text("namespace");
            String name = r.text("name");
            Direction direction = r.enumValue("direction", Direction.class);
            int index = r.integer("index", 0, Integer.MAX_VALUE);
            long sessions = r.counter("sessions");
            long packets = r.counter("packets");
            long bytes = r.counter("bytes");
            PolicyRef ref = r.build(() -> new PolicyRef(namespace, name));
            return r.build(() -> new RuleCounters(ref, direction, index, sessions, packets, bytes));
        });
        List<IsolationDropCounters> drops = in.objects("isolationDrops", d -> {
            String namespace = d.text("namespace");
            String pod = d.text("pod");
            Direction direction = d.enumValue("direction", Direction.class);
            long packets = d.counter("packets");
            long bytes = d.counter("bytes");
            PodRef ref = d.build(() -> new PodRef(namespace, pod));
            return d.build(() -> new IsolationDropCounters(ref, direction, packets, bytes));
        });
        in.done();
        return new PolicyStatistics(rules, drops);
    }
}
