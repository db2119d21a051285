package io.trellis.ovs.openflow.client;

/** Base of the OpenFlow client's failures. */
public class OpenFlowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OpenFlowException(String message) {
        super(message);
    }

    public OpenFlowException(String message, Throwable cause) {
        super(message, cause);
    }
}
