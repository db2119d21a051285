package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * An OVSDB set, {@code ["set", [atom...]]} (RFC 7047 section 5.1). Iteration keeps the wire order
 * so that encoding what was decoded gives the same JSON; equality is set equality.
 */
public record OvsdbSet(Set<Atom> elements) implements Value {

    public OvsdbSet {
        requireNonNull(elements, "elements");
        elements.forEach(e -> requireNonNull(e, "set element"));
        elements = Collections.unmodifiableSet(new LinkedHashSet<>(elements));
    }

    public static OvsdbSet empty() {
        return new OvsdbSet(Set.of());
    }

    public static OvsdbSet of(Atom... atoms) {
        return new OvsdbSet(new LinkedHashSet<>(Arrays.asList(atoms)));
    }

    public static OvsdbSet of(Collection<? extends Atom> atoms) {
        return new OvsdbSet(new LinkedHashSet<>(atoms));
    }

    public static OvsdbSet ofStrings(Collection<String> strings) {
        LinkedHashSet<Atom> atoms = new LinkedHashSet<>();
        strings.forEach(s -> atoms.add(Atom.of(s)));
        return new OvsdbSet(atoms);
    }

    public boolean isEmpty() {
        return elements.isEmpty();
    }

    @Override
    public String toString() {
        return "set" + elements;
    }
}
