package io.trellis.ipam.hostlocal;

/** A state file whose content is not what this module writes; the message names the field and the value. */
final class StateFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    StateFormatException(String message) {
        super(message);
    }

    StateFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
