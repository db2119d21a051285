package io.trellis.lab.apiserver;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.lang.reflect.Field;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The dispatcher in front of fabric8's CRUD dispatcher that makes the mock behave enough like an API server
 * for the lab, kubectl and the agent (each fix is listed in shared/recipes/k8s-api-standin.md):
 * discovery documents and /version; a JSON content type on every answer (over plain HTTP client-go
 * otherwise assumes protobuf); protobuf request bodies refused with 415 and a clear message; strategic
 * merge patches (kubectl apply) applied as JSON merge patches; the spec.nodeName field selector on lists and
 * watches; the {@code kubernetes.io/metadata.name} label on every Namespace; and the watch listener concurrency
 * fixes.
 */
final class LabDispatcher extends Dispatcher {
    private static final String JSON = "application/json";

    private final KubernetesCrudDispatcher crud;
    private final DiscoveryDocuments discovery;
    private final Set<?> watchListeners;
    private final ExecutorService closer = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "watch-closer");
        t.setDaemon(true);
        return t;
    });
    private final ObjectMapper mapper = Serialization.jsonMapper();
    private final String versionJson;

    LabDispatcher(KubernetesCrudDispatcher crud, DiscoveryDocuments discovery) {
        this.crud = Objects.requireNonNull(crud, "crud");
        this.discovery = Objects.requireNonNull(discovery, "discovery");
        this.watchListeners = registeredWatchListeners(crud);
        ObjectNode version = mapper.createObjectNode();
        version.put("major", "1").put("minor", "32").put("gitVersion", "v1.32.0-trellis-lab")
                .put("gitCommit", "none").put("gitTreeState", "clean").put("buildDate", "2026-01-01T00:00:00Z")
                .put("goVersion", "none").put("compiler", "none").put("platform", "linux/amd64");
        this.versionJson = mapper.writeValueAsString(version);
    }

    /**
     * The CRUD dispatcher's set of open watches. It is private in fabric8 8.0.0 and the only way to unregister
     * a closed watch before its executor shuts down: the lab's one reflective access.
     */
    private static Set<?> registeredWatchListeners(KubernetesCrudDispatcher crud) {
        try {
            Field field = KubernetesCrudDispatcher.class.getDeclaredField("watchEventListeners");
            field.setAccessible(true);
            return (Set<?>) field.get(crud);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("fabric8 kubernetes-server-mock changed: cannot reach "
                    + "KubernetesCrudDispatcher.watchEventListeners (" + e + ")", e);
        }
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        MockResponse response = handle(request);
        if (response.getWebSocketListener() == null && response.header("Content-Type") == null) {
            response.setHeader("Content-Type", JSON);
        }
        return response;
    }

    private MockResponse handle(RecordedRequest request) {
        String method = request.getMethod();
        String path = request.getPath();
        String pathOnly = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        String contentType = Optional.ofNullable(request.getHeader("Content-Type")).orElse("");
        if (contentType.contains("protobuf")) {
            return status(415, "UnsupportedMediaType", "the Trellis lab API server speaks JSON only, not "
                    + contentType + " (kubectl: use `create -f`/`apply -f` with a manifest instead of imperative "
                    + "commands)");
        }
        if (method.equals("GET") && pathOnly.equals("/version")) {
            return new MockResponse().setResponseCode(200).setBody(versionJson);
        }
        if (method.equals("GET")) {
            Optional<String> document = discovery.forPath(pathOnly);
            if (document.isPresent()) {
                return new MockResponse().setResponseCode(200).setBody(document.get());
            }
        }
        if (method.equals("PATCH") && contentType.startsWith("application/strategic-merge-patch+json")) {
            // kubectl apply sends a strategic merge patch, which the mock refuses. A JSON merge patch has the
            // same effect for the lab's objects except for lists, which it replaces instead of merging by key.
            request = new RecordedRequest(request.getHttpVersion(), request.method(), path,
                    request.getHeaders().newBuilder().set("Content-Type", "application/merge-patch+json").build(),
                    request.getBody());
        }
        if (method.equals("PATCH") && contentType.startsWith("application/apply-patch")) {
            return status(415, "UnsupportedMediaType", "server-side apply is not supported by the Trellis lab "
                    + "API server: use client-side apply (kubectl apply without --server-side)");
        }
        FieldSelectorSplit split = FieldSelectorSplit.of(path);
        if (split.nodeName().isPresent()) {
            request = new RecordedRequest(request.getHttpVersion(), request.method(), split.forwardedPath(),
                    request.getHeaders(), request.getBody());
        }
        boolean namespaceWrite = NamespaceNameLabel.writesNamespace(method, pathOnly);
        if (namespaceWrite && !method.equals("PATCH")) {
            request = withNamespaceNameLabel(request);
        }
        MockResponse response = crud.dispatch(request);
        if (namespaceWrite && method.equals("PATCH")) {
            response = relabelPatchedNamespace(request, response, pathOnly);
        }
        WebSocketListener listener = response.getWebSocketListener();
        if (listener != null) {
            UnaryOperator<io.fabric8.mockwebserver.http.WebSocket> wrapper = split.nodeName()
                    .<UnaryOperator<io.fabric8.mockwebserver.http.WebSocket>>map(
                            term -> ws -> new NodeNameFilteringSocket(ws, term, mapper))
                    .orElse(UnaryOperator.identity());
            return response.withWebSocketUpgrade(new WatchListenerFix(listener, watchListeners, closer, wrapper));
        }
        if (split.nodeName().isPresent() && method.equals("GET") && response.code() == 200) {
            return filterList(response, split.nodeName().get());
        }
        return response;
    }

    /** A Namespace create or update with {@code kubernetes.io/metadata.name} set, as kube-apiserver stores it. */
    private RecordedRequest withNamespaceNameLabel(RecordedRequest request) {
        JsonNode body;
        try {
            body = mapper.readTree(request.getUtf8Body());
        } catch (RuntimeException e) {
            return request;   // not JSON: the CRUD dispatcher answers it as it does any malformed body
        }
        if (!(body instanceof ObjectNode object) || !NamespaceNameLabel.needsLabel(object)) {
            return request;
        }
        NamespaceNameLabel.apply(object);
        byte[] bytes = mapper.writeValueAsBytes(object);
        return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(),
                request.getHeaders().newBuilder().set("Content-Length", Integer.toString(bytes.length)).build(),
                new io.fabric8.mockwebserver.http.Buffer(bytes));
    }

    /**
     * A patch may remove or change the label (a JSON merge patch of the labels): the patched Namespace is
     * written once more with the label put back, and that write's answer returned.
     */
    private MockResponse relabelPatchedNamespace(RecordedRequest patch, MockResponse response, String path) {
        // The mock answers a patch with 202.
        if (response.code() / 100 != 2 || response.getBody() == null) {
            return response;
        }
        String text = response.getBody().readUtf8();
        response.setBody(text);
        JsonNode patched = mapper.readTree(text);
        if (!(patched instanceof ObjectNode object) || !NamespaceNameLabel.needsLabel(object)) {
            return response;
        }
        NamespaceNameLabel.apply(object);
        byte[] bytes = mapper.writeValueAsBytes(object);
        RecordedRequest put = new RecordedRequest(patch.getHttpVersion(), io.fabric8.mockwebserver.dsl.HttpMethod.PUT,
                path, patch.getHeaders().newBuilder().set("Content-Type", JSON)
                        .set("Content-Length", Integer.toString(bytes.length)).build(),
                new io.fabric8.mockwebserver.http.Buffer(bytes));
        return crud.dispatch(put);
    }

    private MockResponse filterList(MockResponse response, FieldSelectorSplit.NodeNameTerm term) {
        JsonNode list = mapper.readTree(response.getBody().readUtf8());
        JsonNode items = list.path("items");
        if (items instanceof ArrayNode array) {
            ArrayNode kept = mapper.createArrayNode();
            for (JsonNode item : array) {
                if (term.matches(item.path("spec").path("nodeName").asString(null))) {
                    kept.add(item);
                }
            }
            ((ObjectNode) list).set("items", kept);
        }
        return response.setBody(mapper.writeValueAsString(list));
    }

    private MockResponse status(int code, String reason, String message) {
        ObjectNode status = mapper.createObjectNode();
        status.put("apiVersion", "v1").put("kind", "Status").put("status", "Failure").put("message", message)
                .put("reason", reason).put("code", code);
        return new MockResponse().setResponseCode(code).setBody(mapper.writeValueAsString(status));
    }

    @Override
    public void shutdown() {
        closer.shutdownNow();
        crud.shutdown();
    }
}
