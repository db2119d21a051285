package io.trellis.ovs.ovsdb;

/** No reply arrived within the request timeout. */
public class OvsdbTimeoutException extends OvsdbException {

    public OvsdbTimeoutException(String message) {
        super(message);
    }
}
