package io.trellis.ovs.ovsdb;

/**
 * An OVSDB {@code <value>} (RFC 7047 section 5.1): an atom, a set or a map.
 * A set of exactly one element may travel as the bare atom; {@link Row} accessors accept both forms.
 */
public sealed interface Value permits Atom, OvsdbSet, OvsdbMap {
}
