package io.trellis.controller.networkpolicy;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Namespaces by label key and value, so that a new namespaceSelector group looks only at the
 * namespaces that can match it (with tens of thousands of namespaces and as many selectors, a
 * scan per group would be quadratic). Gives candidates; the caller still evaluates the selector.
 */
final class NamespaceLabelIndex {
    private final Map<String, Map<String, Set<String>>> byLabel = new HashMap<>();

    /** {@code oldLabels}/{@code newLabels}: null when the namespace did not / does not exist. */
    void update(String namespace, Map<String, String> oldLabels, Map<String, String> newLabels) {
        if (oldLabels != null) {
            oldLabels.forEach((key, value) -> {
                Map<String, Set<String>> values = byLabel.get(key);
                Set<String> names = values.get(value);
                names.remove(namespace);
                if (names.isEmpty()) {
                    values.remove(value);
                    if (values.isEmpty()) {
                        byLabel.remove(key);
                    }
                }
            });
        }
        if (newLabels != null) {
            newLabels.forEach((key, value) -> byLabel.computeIfAbsent(key, k -> new HashMap<>())
                    .computeIfAbsent(value, v -> new HashSet<>()).add(namespace));
        }
    }

    /**
     * A superset of the namespaces {@code selector} matches: the smallest set that a matchLabels
     * pair or an In requirement narrows it to, else {@code all}. A copy.
     */
    Collection<String> candidates(LabelSelector selector, Set<String> all) {
        Collection<String> best = all;
        for (Map.Entry<String, String> e : selector.matchLabels().entrySet()) {
            Set<String> names = byLabel.getOrDefault(e.getKey(), Map.of()).getOrDefault(e.getValue(), Set.of());
            if (names.size() < best.size()) {
                best = names;
            }
        }
        for (LabelRequirement requirement : selector.requirements()) {
            if (requirement.operator() == SelectorOperator.IN) {
                Map<String, Set<String>> values = byLabel.getOrDefault(requirement.key(), Map.of());
                Set<String> names = new HashSet<>();
                requirement.values().forEach(v -> names.addAll(values.getOrDefault(v, Set.of())));
                if (names.size() < best.size()) {
                    best = names;
                }
            }
        }
        return java.util.List.copyOf(best);
    }
}
