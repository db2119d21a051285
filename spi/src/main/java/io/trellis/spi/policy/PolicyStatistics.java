package io.trellis.spi.policy;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** One reading of an enforcer's counters (see {@link PolicyEnforcer#statistics()}). */
public record PolicyStatistics(List<RuleCounters> rules, List<IsolationDropCounters> isolationDrops) {
    public static final PolicyStatistics NONE = new PolicyStatistics(List.of(), List.of());

    public PolicyStatistics {
        rules = List.copyOf(requireNonNull(rules, "rules"));
        isolationDrops = List.copyOf(requireNonNull(isolationDrops, "isolationDrops"));
    }
}
