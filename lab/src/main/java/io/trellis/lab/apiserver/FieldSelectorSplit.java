package io.trellis.lab.apiserver;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A request path split into what the mock understands and a {@code spec.nodeName} field selector term,
 * which the mock cannot evaluate (its attribute extractor indexes only metadata.name/namespace, so such a
 * selector matches nothing). The lab evaluates that term itself on lists and watch events.
 *
 * @param forwardedPath the path without the spec.nodeName term (the rest of the selector kept)
 * @param nodeName      the term, when the path had one
 */
record FieldSelectorSplit(String forwardedPath, Optional<NodeNameTerm> nodeName) {
    static final String FIELD = "spec.nodeName";

    /** {@code spec.nodeName=value} ({@code negated=false}) or {@code spec.nodeName!=value}. */
    record NodeNameTerm(String value, boolean negated) {
        NodeNameTerm {
            Objects.requireNonNull(value, "value");
        }

        boolean matches(String nodeName) {
            boolean equal = value.equals(nodeName == null ? "" : nodeName);
            return negated != equal;
        }
    }

    FieldSelectorSplit {
        Objects.requireNonNull(forwardedPath, "forwardedPath");
        Objects.requireNonNull(nodeName, "nodeName");
    }

    static FieldSelectorSplit of(String path) {
        int q = path.indexOf('?');
        if (q < 0) {
            return new FieldSelectorSplit(path, Optional.empty());
        }
        List<String> params = new ArrayList<>();
        NodeNameTerm term = null;
        for (String param : path.substring(q + 1).split("&")) {
            if (!param.startsWith("fieldSelector=")) {
                params.add(param);
                continue;
            }
            String selector = URLDecoder.decode(param.substring("fieldSelector=".length()), StandardCharsets.UTF_8);
            List<String> kept = new ArrayList<>();
            for (String requirement : selector.split(",")) {
                NodeNameTerm parsed = parse(requirement.strip());
                if (parsed != null) {
                    term = parsed;
                } else if (!requirement.isBlank()) {
                    kept.add(requirement.strip());
                }
            }
            if (!kept.isEmpty()) {
                params.add("fieldSelector=" + URLEncoder.encode(String.join(",", kept), StandardCharsets.UTF_8));
            }
        }
        String base = path.substring(0, q);
        String forwarded = params.isEmpty() ? base : base + "?" + String.join("&", params);
        return new FieldSelectorSplit(term == null ? path : forwarded, Optional.ofNullable(term));
    }

    private static NodeNameTerm parse(String requirement) {
        if (requirement.startsWith(FIELD + "!=")) {
            return new NodeNameTerm(requirement.substring(FIELD.length() + 2), true);
        }
        if (requirement.startsWith(FIELD + "==")) {
            return new NodeNameTerm(requirement.substring(FIELD.length() + 2), false);
        }
        if (requirement.startsWith(FIELD + "=")) {
            return new NodeNameTerm(requirement.substring(FIELD.length() + 1), false);
        }
        return null;
    }
}
