package io.trellis.agent.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * An agent configuration that cannot be used. Holds every problem found, each naming the field by
 * its path and quoting the value ({@code backends.podInterface: unknown backend 'ovz' (available:
 * host-local, ovs)}), so that an administrator fixes them all in one round.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> errors;

    public ConfigException(String source, List<String> errors) {
        super(message(requireNonNull(source, "source"), List.copyOf(errors)));
        this.errors = List.copyOf(errors);
    }

    /** The problems, one line each, in file order. */
    public List<String> errors() {
        return errors;
    }

    private static String message(String source, List<String> errors) {
        StringBuilder sb = new StringBuilder("invalid agent configuration ").append(source).append(':');
        for (String e : errors) {
            sb.append("\n  - ").append(e);
        }
        return sb.toString();
    }
}
