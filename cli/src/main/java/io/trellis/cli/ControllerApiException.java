package io.trellis.cli;

/** A request to the controller failed; the message says what failed and where (never the token). */
final class ControllerApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ControllerApiException(String message) {
        super(message);
    }

    ControllerApiException(String message, Throwable cause) {
        super(message, cause);
    }
}
