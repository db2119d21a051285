package io.trellis.spi.pod;

/**
 * A pod interface that could not be created, removed or verified. The message says which
 * attachment and which step failed (e.g. "x/a eth0: moving veth into /proc/42/ns/net: No such
 * file or directory"); the agent returns it to the runtime as the CNI error message.
 */
public class PodInterfaceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PodInterfaceException(String message) {
        super(message);
    }

    public PodInterfaceException(String message, Throwable cause) {
        super(message, cause);
    }
}
