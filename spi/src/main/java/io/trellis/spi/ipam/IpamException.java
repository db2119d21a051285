package io.trellis.spi.ipam;

/** An allocation that cannot be made (range exhausted, no pod CIDR yet) or state that cannot be read or written. */
public class IpamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IpamException(String message) {
        super(message);
    }

    public IpamException(String message, Throwable cause) {
        super(message, cause);
    }
}
