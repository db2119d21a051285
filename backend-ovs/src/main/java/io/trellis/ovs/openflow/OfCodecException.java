package io.trellis.ovs.openflow;

/**
 * Malformed OpenFlow bytes, or a value that cannot be encoded. The message always names the
 * structure and field at fault and the offending value, so a bad message from OVS can be
 * diagnosed from the log line alone.
 */
public class OfCodecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OfCodecException(String message) {
        super(message);
    }

    public OfCodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
