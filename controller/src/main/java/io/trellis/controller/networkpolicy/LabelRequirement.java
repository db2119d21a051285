package io.trellis.controller.networkpolicy;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One {@code matchExpressions} entry of a label selector.
 *
 * @param values sorted, so that selectors written with values in another order are equal (and share groups)
 */
public record LabelRequirement(String key, SelectorOperator operator, SortedSet<String> values)
        implements Comparable<LabelRequirement> {
    public LabelRequirement {
        requireNonNull(key, "key");
        requireNonNull(operator, "operator");
        values = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(requireNonNull(values, "values")));
        if (key.isEmpty()) {
            throw new IllegalArgumentException("label requirement needs a key");
        }
        if (operator.takesValues() == values.isEmpty()) {
            throw new IllegalArgumentException("label requirement " + key + " " + operator.apiName()
                    + (operator.takesValues() ? " needs values" : " takes no values, got " + values));
        }
    }

    /** Upstream semantics: NotIn and DoesNotExist hold for objects without the label. */
    public boolean matches(Map<String, String> labels) {
        String value = labels.get(key);
        return switch (operator) {
            case IN -> value != null && values.contains(value);
            case NOT_IN -> value == null || !values.contains(value);
            case EXISTS -> value != null;
            case DOES_NOT_EXIST -> value == null;
        };
    }

    @Override
    public int compareTo(LabelRequirement o) {
        int c = key.compareTo(o.key);
        if (c == 0) {
            c = operator.compareTo(o.operator);
        }
        return c != 0 ? c : String.join("\u0000", values).compareTo(String.join("\u0000", o.values));
    }

    /** A canonical text, for group names. */
    String canonical() {
        StringBuilder text = new StringBuilder(GroupSelector.quote(key)).append(operator.apiName()).append('(');
        values.forEach(v -> text.append(GroupSelector.quote(v)));
        return text.append(')').toString();
    }
}
