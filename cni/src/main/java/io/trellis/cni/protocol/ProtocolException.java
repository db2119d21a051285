package io.trellis.cni.protocol;

/** A message on the agent socket that does not follow {@link AgentProtocol}; the text names what is wrong. */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
