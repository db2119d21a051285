package io.trellis.ovs.policy;

import static java.util.Objects.requireNonNull;

import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Numeric rule ids (conj_id, ct_label, cookie object): a rule keeps its id while it exists; new
 * rules get the lowest free ids, so ids of removed rules are reused.
 */
final class RuleIds {

    /** The largest id: ids stay positive ints, far more than a node's rules. */
    static final long MAX_ID = Integer.MAX_VALUE;

    private RuleIds() {
    }

    /**
     * The ids of {@code wanted}: those in {@code previous} keep theirs, the others get the lowest
     * ids not used by a kept one. Pure: {@code previous} is not changed.
     *
     * @throws IllegalStateException when more than {@link #MAX_ID} rules are wanted
     */
    static Map<RuleKey, Long> assign(Map<RuleKey, Long> previous, Collection<RuleKey> wanted) {
        requireNonNull(previous, "previous");
        requireNonNull(wanted, "wanted");
        Map<RuleKey, Long> next = new LinkedHashMap<>();
        BitSet used = new BitSet();
        for (RuleKey key : wanted) {
            Long id = previous.get(key);
            if (id != null) {
                next.put(key, id);
                used.set((int) (long) id);
            }
        }
        int candidate = 1;
        for (RuleKey key : wanted) {
            if (next.containsKey(key)) {
                continue;
            }
            candidate = used.nextClearBit(candidate);
            if (candidate < 1 || candidate > MAX_ID) {
                throw new IllegalStateException("no free policy rule id left in 1.." + MAX_ID);
            }
            used.set(candidate);
            next.put(key, (long) candidate);
        }
        return next;
    }
}
