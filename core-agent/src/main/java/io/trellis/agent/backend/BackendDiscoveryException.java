package io.trellis.agent.backend;

/** The backends on the class path cannot be loaded or are ambiguous (two with one name, an invalid name). */
public class BackendDiscoveryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendDiscoveryException(String message) {
        super(message);
    }

    public BackendDiscoveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
