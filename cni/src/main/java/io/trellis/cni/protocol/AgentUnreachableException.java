package io.trellis.cni.protocol;

/**
 * The agent could not be asked or did not answer: no socket, connection refused, closed before
 * replying, or no reply in time. A transient condition from the runtime's point of view.
 */
public final class AgentUnreachableException extends Exception {
    private static final long serialVersionUID = 1L;

    public AgentUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
