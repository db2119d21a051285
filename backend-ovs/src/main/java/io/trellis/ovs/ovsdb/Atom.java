package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

/**
 * An OVSDB {@code <atom>} (RFC 7047 section 5.1): string, integer, real, boolean, uuid or named-uuid.
 */
public sealed interface Atom extends Value permits Atom.Str, Atom.Int, Atom.Real, Atom.Bool, Uuid, NamedUuid {

    static Atom of(String value) {
        return new Str(value);
    }

    static Atom of(long value) {
        return new Int(value);
    }

    static Atom of(double value) {
        return new Real(value);
    }

    static Atom of(boolean value) {
        return new Bool(value);
    }

    /** A JSON string atom. */
    record Str(String value) implements Atom {
        public Str {
            requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return '"' + value + '"';
        }
    }

    /** An OVSDB "integer": a 64-bit signed JSON number without fraction. */
    record Int(long value) implements Atom {
        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    /** An OVSDB "real". */
    record Real(double value) implements Atom {
        public Real {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("OVSDB real must be finite, got " + value);
            }
        }

        @Override
        public String toString() {
            return Double.toString(value);
        }
    }

    /** An OVSDB "boolean". */
    record Bool(boolean value) implements Atom {
        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }
}
