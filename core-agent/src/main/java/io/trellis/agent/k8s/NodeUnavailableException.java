package io.trellis.agent.k8s;

/** The agent's Node could not be read as needed: it never appeared, never got a pod CIDR, or holds invalid values. */
public class NodeUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NodeUnavailableException(String message) {
        super(message);
    }

    public NodeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
