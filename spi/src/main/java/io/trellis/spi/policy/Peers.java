package io.trellis.spi.policy;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The peers a rule allows. Kept apart from a plain list because the two cases must not be
 * confused: a rule without {@code from}/{@code to} allows everyone, while a rule whose selectors
 * currently match no pod allows no one.
 */
public sealed interface Peers {

    /** Any address (the rule named no peers). */
    record Any() implements Peers {
    }

    /** Only these blocks; an empty list matches no peer at all. */
    record Only(List<IpBlock> blocks) implements Peers {
        public Only {
            blocks = List.copyOf(requireNonNull(blocks, "blocks"));
        }
    }
}
