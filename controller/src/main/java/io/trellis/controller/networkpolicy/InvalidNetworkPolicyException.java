package io.trellis.controller.networkpolicy;

import java.util.List;

/** A NetworkPolicy the controller cannot enforce as written; every problem names its field and value. */
public final class InvalidNetworkPolicyException extends Exception {
    private final transient List<String> problems;

    public InvalidNetworkPolicyException(String policy, List<String> problems) {
        super("NetworkPolicy " + policy + " is invalid: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each as {@code field: what is wrong with the value}. */
    public List<String> problems() {
        return problems;
    }
}
