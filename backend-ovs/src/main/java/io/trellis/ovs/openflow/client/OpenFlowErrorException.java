package io.trellis.ovs.openflow.client;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.message.ErrorMessage;

/**
 * The switch answered a request with OFPT_ERROR. The message is the error's readable text
 * ({@link ErrorMessage#text()}), e.g. {@code OFPBAC_BAD_OUT_GROUP: ... in reply to FLOW_MOD ...}.
 */
public class OpenFlowErrorException extends OpenFlowException {
    private static final long serialVersionUID = 1L;

    private final transient ErrorMessage error;

    public OpenFlowErrorException(ErrorMessage error) {
        super(requireNonNull(error, "error").text());
        this.error = error;
    }

    public OpenFlowErrorException(String context, ErrorMessage error) {
        super(context + ": " + requireNonNull(error, "error").text());
        this.error = error;
    }

    public ErrorMessage error() {
        return error;
    }
}
