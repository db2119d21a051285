package io.trellis.spi.policy;

/** The traffic direction a policy isolates, seen from the target pod. */
public enum Direction {
    INGRESS,
    EGRESS
}
