package io.trellis.controller.networkpolicy;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Which pods a group holds: those matching {@code podSelector} either in one namespace (a policy's
 * {@code podSelector}, or a peer with a podSelector and no namespaceSelector) or in every namespace
 * that {@code namespaceSelector} matches. Exactly one of the two is present.
 */
public record GroupSelector(Optional<String> namespace, Optional<LabelSelector> namespaceSelector,
        LabelSelector podSelector) {
    public GroupSelector {
        requireNonNull(namespace, "namespace");
        requireNonNull(namespaceSelector, "namespaceSelector");
        requireNonNull(podSelector, "podSelector");
        if (namespace.isPresent() == namespaceSelector.isPresent()) {
            throw new IllegalArgumentException("a group selects pods in one namespace or by namespaceSelector, got "
                    + namespace + " and " + namespaceSelector);
        }
    }

    public static GroupSelector inNamespace(String namespace, LabelSelector podSelector) {
        return new GroupSelector(Optional.of(namespace), Optional.empty(), podSelector);
    }

    public static GroupSelector byNamespaceSelector(LabelSelector namespaceSelector, LabelSelector podSelector) {
        return new GroupSelector(Optional.empty(), Optional.of(namespaceSelector), podSelector);
    }

    /**
     * Whether the group holds namespace {@code name}'s pods ({@code labels}: its labels, or null when
     * the Namespace is not known: a namespaceSelector then matches nothing).
     */
    public boolean matchesNamespace(String name, Map<String, String> labels) {
        if (namespace.isPresent()) {
            return namespace.get().equals(name);
        }
        return labels != null && namespaceSelector.get().matches(labels);
    }

    /**
     * The group's name: a hash of the canonical selector (128 bits of SHA-256), the same on every
     * controller replica and after restarts, so agents can resume a stream on another replica.
     */
    public String name() {
        String canonical = namespace.map(n -> "ns:" + quote(n)).orElseGet(() -> "nsSelector:"
                + namespaceSelector.get().canonical()) + ";pods:" + podSelector.canonical();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    static String quote(String s) {
        return s.length() + ":" + s;
    }
}
