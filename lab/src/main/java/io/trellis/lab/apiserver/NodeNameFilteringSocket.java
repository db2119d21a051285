package io.trellis.lab.apiserver;

import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The WebSocket a watch sends its events on, filtered by a spec.nodeName term the way a real API server
 * filters a watch: an object that starts matching arrives as ADDED, one that stops matching as DELETED,
 * and events of objects that never matched are dropped.
 */
final class NodeNameFilteringSocket implements WebSocket {
    private final WebSocket delegate;
    private final FieldSelectorSplit.NodeNameTerm term;
    private final ObjectMapper mapper;
    /** namespace/name of the objects this watcher currently sees. */
    private final Set<String> visible = new HashSet<>();

    NodeNameFilteringSocket(WebSocket delegate, FieldSelectorSplit.NodeNameTerm term, ObjectMapper mapper) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.term = Objects.requireNonNull(term, "term");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public RecordedRequest request() {
        return delegate.request();
    }

    @Override
    public synchronized boolean send(String text) {
        JsonNode event = mapper.readTree(text);
        JsonNode object = event.path("object");
        if (!event.has("type") || !object.isObject()) {
            return delegate.send(text);
        }
        String key = object.path("metadata").path("namespace").asString("") + "/"
                + object.path("metadata").path("name").asString("");
        boolean matches = term.matches(object.path("spec").path("nodeName").asString(null));
        boolean wasVisible = visible.contains(key);
        String type = event.get("type").asString();
        String translated;
        if (type.equals("DELETED")) {
            visible.remove(key);
            translated = wasVisible ? "DELETED" : null;
        } else if (matches) {
            visible.add(key);
            translated = wasVisible ? type : "ADDED";
        } else {
            visible.remove(key);
            translated = wasVisible ? "DELETED" : null;
        }
        if (translated == null) {
            return true;
        }
        if (translated.equals(type)) {
            return delegate.send(text);
        }
        ((ObjectNode) event).put("type", translated);
        return delegate.send(mapper.writeValueAsString(event));
    }

    @Override
    public boolean send(byte[] bytes) {
        return delegate.send(bytes);
    }

    @Override
    public boolean close(int code, String reason) {
        return delegate.close(code, reason);
    }
}
