package io.trellis.iptables.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.PolicyRef;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One NetworkPolicy rule as statistics count it: policy, list, index. The parts of a rule split for
 * named ports share the key (and so the id and the counters).
 */
record RuleKey(PolicyRef ref, Direction direction, int index) {

    static final Comparator<RuleKey> ORDER = Comparator.comparing((RuleKey k) -> k.ref().namespace())
            .thenComparing(k -> k.ref().name()).thenComparing(RuleKey::direction).thenComparingInt(RuleKey::index);

    private static final Pattern TEXT = Pattern.compile("([^/\\s\"]+)/([^/\\s\"]+) (ingress|egress)\\[(\\d{1,9})\\]");

    RuleKey {
        requireNonNull(ref, "ref");
        requireNonNull(direction, "direction");
        if (index < 0) {
            throw new IllegalArgumentException("rule index of " + ref + " must be >= 0, got " + index);
        }
    }

    /** {@code ns/name ingress[0]}: the comment of the rule's chain, read back after a restart. */
    String text() {
        return ref + " " + direction.name().toLowerCase(Locale.ROOT) + "[" + index + "]";
    }

    /** The key of a {@link #text()}, empty when {@code text} is not one. */
    static Optional<RuleKey> parse(String text) {
        Matcher m = TEXT.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new RuleKey(new PolicyRef(m.group(1), m.group(2)),
                Direction.valueOf(m.group(3).toUpperCase(Locale.ROOT)), Integer.parseInt(m.group(4))));
    }
}
