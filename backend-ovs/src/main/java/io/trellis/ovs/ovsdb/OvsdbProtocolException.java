package io.trellis.ovs.ovsdb;

/** The peer sent JSON that does not follow JSON-RPC 1.0 or RFC 7047; the message names the field and value. */
public class OvsdbProtocolException extends OvsdbException {

    public OvsdbProtocolException(String message) {
        super(message);
    }

    public OvsdbProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
