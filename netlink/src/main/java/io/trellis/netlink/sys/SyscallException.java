package io.trellis.netlink.sys;

import io.trellis.netlink.Errno;

/** A libc call failed; the message names the call, its target and the errno, e.g. "setns(/var/run/netns/x): ...". */
public final class SyscallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public SyscallException(String call, int errno, String errnoText) {
        super(call + ": " + errnoText + " (" + Errno.nameOf(errno) + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    public boolean is(Errno e) {
        return errno == e.number();
    }
}
