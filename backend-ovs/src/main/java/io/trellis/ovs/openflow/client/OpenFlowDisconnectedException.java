package io.trellis.ovs.openflow.client;

/** The connection was lost (or the client closed) before the request completed. */
public class OpenFlowDisconnectedException extends OpenFlowException {
    private static final long serialVersionUID = 1L;

    public OpenFlowDisconnectedException(String message) {
        super(message);
    }

    public OpenFlowDisconnectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
