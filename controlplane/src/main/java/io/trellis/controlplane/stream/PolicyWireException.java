package io.trellis.controlplane.stream;

/**
 * A policy stream message (or statistics report) that cannot be read: not JSON, a missing or
 * unknown field, a value of the wrong type or out of range. The message names the field by its
 * path in the message (e.g. {@code object.members[2].ips[0]}) and quotes the value found.
 */
public final class PolicyWireException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PolicyWireException(String message) {
        super(message);
    }

    public PolicyWireException(String message, Throwable cause) {
        super(message, cause);
    }
}
