package io.trellis.ovs.ovsdb;

/** Base of every failure the OVSDB client reports. */
public class OvsdbException extends RuntimeException {

    public OvsdbException(String message) {
        super(message);
    }

    public OvsdbException(String message, Throwable cause) {
        super(message, cause);
    }
}
