package io.trellis.controller.networkpolicy;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The namespaceSelector groups by a label their selector requires (a matchLabels pair, else each
 * value of an In requirement), so that a namespace event looks only at the groups it can match
 * instead of all of them (tens of thousands at scale, one per namespace in common policy sets).
 * Groups whose selector requires no particular label are checked on every namespace event.
 */
final class NamespaceSelectorIndex {
    private record Label(String key, String value) {
    }

    private final Map<Label, Set<Group>> byLabel = new HashMap<>();
    private final Set<Group> unindexed = new LinkedHashSet<>();

    void add(Group group) {
        Set<Label> labels = requiredLabels(group.selector.namespaceSelector().orElseThrow());
        if (labels.isEmpty()) {
            unindexed.add(group);
        } else {
            labels.forEach(label -> byLabel.computeIfAbsent(label, l -> new LinkedHashSet<>()).add(group));
        }
    }

    void remove(Group group) {
        Set<Label> labels = requiredLabels(group.selector.namespaceSelector().orElseThrow());
        if (labels.isEmpty()) {
            unindexed.remove(group);
        }
        for (Label label : labels) {
            Set<Group> groups = byLabel.get(label);
            groups.remove(group);
            if (groups.isEmpty()) {
                byLabel.remove(label);
            }
        }
    }

    /** Every group that can match a namespace with {@code labels} (a superset; null labels: none besides the unindexed). */
    Set<Group> candidates(Map<String, String> labels) {
        Set<Group> result = new LinkedHashSet<>(unindexed);
        if (labels != null) {
            labels.forEach((key, value) -> result.addAll(byLabel.getOrDefault(new Label(key, value), Set.of())));
        }
        return result;
    }

    /**
     * Labels one of which a namespace must carry to match: a single matchLabels pair suffices; else
     * the values of the first In requirement; else none (no narrowing).
     */
    private static Set<Label> requiredLabels(LabelSelector selector) {
        if (!selector.matchLabels().isEmpty()) {
            Map.Entry<String, String> first = selector.matchLabels().entrySet().iterator().next();
            return Set.of(new Label(first.getKey(), first.getValue()));
        }
        for (LabelRequirement requirement : selector.requirements()) {
            if (requirement.operator() == SelectorOperator.IN) {
                Set<Label> labels = new LinkedHashSet<>();
                requirement.values().forEach(v -> labels.add(new Label(requirement.key(), v)));
                return labels;
            }
        }
        return Set.of();
    }
}
