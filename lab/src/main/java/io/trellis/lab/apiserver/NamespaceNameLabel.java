package io.trellis.lab.apiserver;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What kube-apiserver does to every Namespace it stores (since 1.21): the immutable label
 * {@code kubernetes.io/metadata.name} set to the Namespace's name, so that NetworkPolicy namespace selectors
 * can select a namespace by name. The mock stores objects as sent; the lab's dispatcher passes Namespace
 * writes through here.
 */
final class NamespaceNameLabel {
    static final String LABEL = "kubernetes.io/metadata.name";
    /** A Namespace itself (not a namespaced object, not a subresource such as /status or /finalize). */
    private static final Pattern NAMESPACE_ITEM = Pattern.compile("/api/v1/namespaces/([^/]+)");
    private static final String COLLECTION = "/api/v1/namespaces";

    private NamespaceNameLabel() {
    }

    /** Whether a request of {@code method} on {@code path} (without query) writes a whole Namespace object. */
    static boolean writesNamespace(String method, String path) {
        return switch (method) {
            case "POST" -> path.equals(COLLECTION);
            case "PUT", "PATCH" -> NAMESPACE_ITEM.matcher(path).matches();
            default -> false;
        };
    }

    /** The namespace name a Namespace item path names. */
    static Optional<String> nameInPath(String path) {
        Matcher m = NAMESPACE_ITEM.matcher(path);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * Whether {@code namespace} (a Namespace object as JSON) lacks the label or carries another value; a
     * Namespace without a name is left to the mock to refuse.
     */
    static boolean needsLabel(JsonNode namespace) {
        String name = namespace.path("metadata").path("name").asString(null);
        return name != null && !name.equals(namespace.path("metadata").path("labels").path(LABEL).asString(null));
    }

    /** Sets the label to the object's name (a client cannot change or remove it, as on a real API server). */
    static void apply(ObjectNode namespace) {
        JsonNode metadata = namespace.path("metadata");
        if (!(metadata instanceof ObjectNode meta) || meta.path("name").asString(null) == null) {
            return;
        }
        JsonNode labels = meta.path("labels");
        ObjectNode writable = labels instanceof ObjectNode o ? o : meta.putObject("labels");
        writable.put(LABEL, meta.path("name").asString());
    }
}
