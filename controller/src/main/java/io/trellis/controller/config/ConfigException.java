package io.trellis.controller.config;

import java.util.List;

/** The controller configuration is unusable; the message lists every problem, each naming its field. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(source + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems") + ":\n  "
                + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem, each starting with the field's path. */
    public List<String> problems() {
        return problems;
    }
}
