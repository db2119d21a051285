package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** A row reference, {@code ["uuid", "<uuid>"]} on the wire (RFC 7047 section 5.1). */
public record Uuid(UUID value) implements Atom {

    public Uuid {
        requireNonNull(value, "value");
    }

    public static Uuid parse(String text) {
        requireNonNull(text, "text");
        try {
            return new Uuid(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a UUID: '" + text + "'", e);
        }
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
