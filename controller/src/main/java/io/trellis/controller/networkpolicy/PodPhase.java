package io.trellis.controller.networkpolicy;

/** {@code status.phase} of a Pod. */
public enum PodPhase {
    PENDING,
    RUNNING,
    SUCCEEDED,
    FAILED,
    UNKNOWN;

    /** Pods that ran to completion hold no address any more (their IP may be reused). */
    public boolean terminated() {
        return this == SUCCEEDED || this == FAILED;
    }

    /** The phase as the API spells it; absent or unrecognised phases are {@link #UNKNOWN}. */
    public static PodPhase fromApi(String phase) {
        if (phase == null) {
            return UNKNOWN;
        }
        return switch (phase) {
            case "Pending" -> PENDING;
            case "Running" -> RUNNING;
            case "Succeeded" -> SUCCEEDED;
            case "Failed" -> FAILED;
            default -> UNKNOWN;
        };
    }
}
