package io.trellis.netlink;

import java.util.Objects;
import java.util.Optional;

/**
 * The kernel refused a netlink request (NLMSG_ERROR with a negative error), or the exchange failed.
 * The message names the request and the errno, e.g. "RTM_NEWLINK veth0: File exists (EEXIST)", followed by
 * the kernel's extended-ACK text when it sent one.
 */
public final class NetlinkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String request;
    private final int errno;
    private final String kernelMessage;

    public NetlinkException(String request, int errno, String errnoText, Optional<String> kernelMessage) {
        super(format(request, errno, errnoText, kernelMessage));
        this.request = Objects.requireNonNull(request, "request");
        this.errno = errno;
        this.kernelMessage = kernelMessage.orElse(null);
    }

    private static String format(String request, int errno, String text, Optional<String> kernelMessage) {
        return request + ": " + text + " (" + Errno.nameOf(errno) + ")" + kernelMessage.map(m -> ": " + m).orElse("");
    }

    /** The request description, e.g. "RTM_NEWLINK veth0". */
    public String request() {
        return request;
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.nameOf(errno);
    }

    public boolean is(Errno e) {
        return errno == e.number();
    }

    /** Text from the kernel's extended ACK (NLMSGERR_ATTR_MSG), if any. */
    public Optional<String> kernelMessage() {
        return Optional.ofNullable(kernelMessage);
    }
}
