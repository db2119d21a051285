package io.trellis.lab.services;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Hands out the values of an inclusive int range, each to one owner at a time: cluster IPs (as 32-bit
 * addresses) or node ports. Next-fit from a cursor, so a value freed a moment ago is the last to be handed
 * out again (a deleted Service's address is not reused at once while agents may still have its flows).
 * Not thread-safe: the lab's Service controller uses it from one thread.
 */
final class RangeAllocator {
    private final String what;
    private final long first;
    private final long last;
    private final Map<Long, String> owners = new HashMap<>();
    private long cursor;

    /**
     * @param what  what the values are, for messages ("cluster IP", "node port")
     * @param first the first value handed out
     * @param last  the last value handed out (inclusive)
     */
    RangeAllocator(String what, long first, long last) {
        this.what = Objects.requireNonNull(what, "what");
        if (first > last) {
            throw new IllegalArgumentException(what + " range " + first + "-" + last + " is empty");
        }
        this.first = first;
        this.last = last;
        this.cursor = first;
    }

    boolean contains(long value) {
        return value >= first && value <= last;
    }

    /** Who holds the value, if anyone. */
    Optional<String> owner(long value) {
        return Optional.ofNullable(owners.get(value));
    }

    /**
     * Records that {@code owner} holds {@code value} (a value set by the user, or one seen after a restart);
     * false when another owner holds it already. Values outside the range are not tracked and always accepted.
     */
    boolean reserve(long value, String owner) {
        Objects.requireNonNull(owner, "owner");
        if (!contains(value)) {
            return true;
        }
        String holder = owners.putIfAbsent(value, owner);
        return holder == null || holder.equals(owner);
    }

    /** A free value, now held by {@code owner}. */
    long allocate(String owner) {
        Objects.requireNonNull(owner, "owner");
        long size = last - first + 1;
        for (long i = 0; i < size; i++) {
            long candidate = cursor;
            cursor = cursor == last ? first : cursor + 1;
            if (owners.putIfAbsent(candidate, owner) == null) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free " + what + " left in " + first + "-" + last + " (" + size + " in use)");
    }

    /** Frees the value if {@code owner} holds it. */
    void release(long value, String owner) {
        owners.remove(value, owner);
    }

    int inUse() {
        return owners.size();
    }
}
