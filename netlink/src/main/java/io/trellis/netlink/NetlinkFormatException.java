package io.trellis.netlink;

/** A netlink message or attribute that does not match the kernel's layout. The message names the field. */
public final class NetlinkFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NetlinkFormatException(String message) {
        super(message);
    }
}
