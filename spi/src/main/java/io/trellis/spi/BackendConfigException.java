package io.trellis.spi;

/**
 * A backend setting that is missing, of the wrong type or out of range. The message names the
 * setting by its path in the agent configuration and quotes the value, e.g.
 * {@code settings.host-local.rangeStart: expected a string, got integer 5}.
 */
public class BackendConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendConfigException(String message) {
        super(message);
    }
}
