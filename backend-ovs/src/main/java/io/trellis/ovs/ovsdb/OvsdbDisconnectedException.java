package io.trellis.ovs.ovsdb;

/**
 * The connection to the server was lost (or not established) before a reply arrived. Whether the
 * server executed the request is unknown; transactions should be idempotent or re-read state.
 */
public class OvsdbDisconnectedException extends OvsdbException {

    public OvsdbDisconnectedException(String message) {
        super(message);
    }

    public OvsdbDisconnectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
