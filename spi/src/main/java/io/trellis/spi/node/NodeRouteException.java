package io.trellis.spi.node;

/** Routes or tunnels to a node that could not be installed or removed; the message names the node. */
public class NodeRouteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NodeRouteException(String message) {
        super(message);
    }

    public NodeRouteException(String message, Throwable cause) {
        super(message, cause);
    }
}
