package io.trellis.ipam.pool;

/** No node CIDR is left in the cluster CIDR; the message names it and how many are in use. */
public final class PoolExhaustedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PoolExhaustedException(String message) {
        super(message);
    }
}
