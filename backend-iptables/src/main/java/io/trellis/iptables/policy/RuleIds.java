package io.trellis.iptables.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.policy.Direction;
import java.util.BitSet;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rule ids, one number space per direction (each has its own connmark field): a rule keeps its id
 * while it exists (and across agent restarts, read back from the rule chains' comments); new rules
 * take the lowest free ids, so ids stay small and fit the connmark ({@link ConnmarkLayout#MAX_ID})
 * as long as possible.
 */
final class RuleIds {

    private RuleIds() {
    }

    /** The ids of {@code wanted}: kept from {@code previous} where present, else the lowest free. Pure. */
    static Map<RuleKey, Integer> assign(Map<RuleKey, Integer> previous, Collection<RuleKey> wanted) {
        requireNonNull(previous, "previous");
        requireNonNull(wanted, "wanted");
        Map<RuleKey, Integer> next = new LinkedHashMap<>();
        Map<Direction, BitSet> used = new EnumMap<>(Direction.class);
        for (Direction d : Direction.values()) {
            used.put(d, new BitSet());
        }
        for (RuleKey key : wanted) {
            Integer id = previous.get(key);
            if (id != null && id >= 1 && !used.get(key.direction()).get(id)) {
                next.put(key, id);
                used.get(key.direction()).set(id);
            }
        }
        for (RuleKey key : wanted) {
            if (next.containsKey(key)) {
                continue;
            }
            BitSet u = used.get(key.direction());
            int id = u.nextClearBit(1);
            if (id < 1) {
                throw new IllegalStateException("no free policy rule id left");
            }
            u.set(id);
            next.put(key, id);
        }
        return next;
    }
}
