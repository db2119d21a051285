package io.trellis.controlplane.stream;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import java.util.List;

/**
 * Encodes {@link StreamEvent}s as single-line JSON (the stream is newline-delimited JSON, one event
 * per line) and decodes them, strictly: a malformed line throws {@link PolicyWireException} naming
 * the field and quoting the value.
 * <pre>
 * {"type":"SNAPSHOT","resourceVersion":"..","objects":[OBJECT...]}
 * {"type":"ADDED"|"MODIFIED","resourceVersion":"..","object":OBJECT}
 * {"type":"DELETED","resourceVersion":"..","key":{"kind":"AddressGroup","name":".."}}
 * {"type":"HEARTBEAT","resourceVersion":".."}
 * </pre>
 * OBJECT: see {@link PolicyObjectJson}.
 */
public final class StreamEventCodec {
    private final ObjectMapper mapper = JsonMapper.builder()
            // A repeated key would make one of the values vanish silently.
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    private final PolicyObjectJson objects = new PolicyObjectJson();

    /** One line of JSON, without the trailing newline (JSON escapes any newline inside strings). */
    public String encode(StreamEvent event) {
        requireNonNull(event, "event");
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (event instanceof StreamEvent.Snapshot s) {
            out.put("type", "SNAPSHOT").put("resourceVersion", s.resourceVersion());
            ArrayNode list = out.putArray("objects");
            s.objects().forEach(o -> list.add(objects.write(o)));
        } else if (event instanceof StreamEvent.Added a) {
            out.put("type", "ADDED").put("resourceVersion", a.resourceVersion()).set("object", objects.write(a.object()));
        } else if (event instanceof StreamEvent.Modified m) {
            out.put("type", "MODIFIED").put("resourceVersion", m.resourceVersion())
                    .set("object", objects.write(m.object()));
        } else if (event instanceof StreamEvent.Deleted d) {
            out.put("type", "DELETED").put("resourceVersion", d.resourceVersion()).set("key", objects.writeKey(d.key()));
        } else {
            out.put("type", "HEARTBEAT").put("resourceVersion", event.resourceVersion());
        }
        return write(out);
    }

    public StreamEvent decode(String line) {
        requireNonNull(line, "line");
        JsonFields in = JsonFields.of(parse(mapper, line, "policy stream line"), "");
        String type = in.text("type");
        String version = in.text("resourceVersion");
        if (version.isEmpty()) {
            throw new PolicyWireException("field 'resourceVersion': must not be empty");
        }
        StreamEvent event = switch (type) {
            case "SNAPSHOT" -> {
                List<PolicyObject> list = in.list("objects", (n, p) -> objects.read(JsonFields.of(n, p)));
                yield new StreamEvent.Snapshot(version, list);
            }
            case "ADDED" -> new StreamEvent.Added(version, objects.read(in.object("object")));
            case "MODIFIED" -> new StreamEvent.Modified(version, objects.read(in.object("object")));
            case "DELETED" -> {
                PolicyObjectKey key = objects.readKey(in.object("key"));
                yield new StreamEvent.Deleted(version, key);
            }
            case "HEARTBEAT" -> new StreamEvent.Heartbeat(version);
            default -> throw new PolicyWireException("field 'type': expected SNAPSHOT, ADDED, MODIFIED, DELETED or "
                    + "HEARTBEAT, got \"" + type + "\"");
        };
        in.done();
        return event;
    }

    private String write(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            // A tree of strings, numbers and booleans always serializes.
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    static JsonNode parse(ObjectMapper mapper, String text, String what) {
        try {
            JsonNode node = mapper.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new PolicyWireException(what + ": empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            String shown = text.length() > 200 ? text.substring(0, 200) + "..." : text;
            throw new PolicyWireException(what + " is not valid JSON (" + e.getOriginalMessage() + "): " + shown, e);
        }
    }
}
