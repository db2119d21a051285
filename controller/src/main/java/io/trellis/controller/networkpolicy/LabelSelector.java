package io.trellis.controller.networkpolicy;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A Kubernetes label selector: every {@code matchLabels} pair and every requirement must hold. An
 * empty selector selects everything. Normalized (sorted, duplicates removed) so that equal
 * selectors are equal records.
 */
public record LabelSelector(SortedMap<String, String> matchLabels, List<LabelRequirement> requirements) {
    public static final LabelSelector EVERYTHING = new LabelSelector(new TreeMap<>(), List.of());

    public LabelSelector {
        matchLabels = Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(matchLabels, "matchLabels")));
        requirements = requireNonNull(requirements, "requirements").stream().distinct().sorted().toList();
    }

    public static LabelSelector of(Map<String, String> matchLabels, List<LabelRequirement> requirements) {
        return new LabelSelector(new TreeMap<>(matchLabels), requirements);
    }

    public static LabelSelector matchLabels(Map<String, String> matchLabels) {
        return of(matchLabels, List.of());
    }

    public boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (LabelRequirement r : requirements) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    public boolean isEverything() {
        return matchLabels.isEmpty() && requirements.isEmpty();
    }

    /** A canonical text, for group names: equal selectors give equal texts. */
    String canonical() {
        // Length-prefixed strings: unambiguous whatever characters keys and values hold.
        return "{" + matchLabels.entrySet().stream().map(e -> GroupSelector.quote(e.getKey()) + GroupSelector.quote(e.getValue()))
                .collect(Collectors.joining()) + "|" + requirements.stream().map(LabelRequirement::canonical)
                .collect(Collectors.joining()) + "}";
    }
}
