package io.trellis.spi.service;

/** Service load-balancing state that could not be installed; the message names the Service. */
public class ServiceProxyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ServiceProxyException(String message) {
        super(message);
    }

    public ServiceProxyException(String message, Throwable cause) {
        super(message, cause);
    }
}
