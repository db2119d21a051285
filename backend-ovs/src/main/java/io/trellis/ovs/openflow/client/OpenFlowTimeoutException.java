package io.trellis.ovs.openflow.client;

/** No reply arrived within the request's timeout. */
public class OpenFlowTimeoutException extends OpenFlowException {
    private static final long serialVersionUID = 1L;

    public OpenFlowTimeoutException(String message) {
        super(message);
    }
}
