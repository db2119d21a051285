package io.trellis.netlink.sys;

import io.trellis.netlink.Errno;
import java.util.Objects;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Checked wrappers over {@link LibC}: each failing call becomes a {@link SyscallException} naming the call.
 * Constants are the Linux x86_64/arm64 values (they agree on these).
 */
public final class Syscalls {
    public static final int AF_INET = 2;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVTIMEO = 20;
    public static final int MSG_TRUNC = 0x20;

    private final LibC libc;
    private final Runtime runtime;

    public Syscalls(LibC libc) {
        this.libc = Objects.requireNonNull(libc, "libc");
        this.runtime = Runtime.getRuntime(libc);
    }

    /** The process's libc, loaded once (jnr-ffi bindings are immutable and thread-safe). */
    public static Syscalls system() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final Syscalls INSTANCE = new Syscalls(LibraryLoader.create(LibC.class)
                .option(LibraryOption.SaveError, Boolean.TRUE)
                .load("c"));
    }

    public Runtime runtime() {
        return runtime;
    }

    public int lastErrno() {
        return runtime.getLastError();
    }

    public String strerror(int errno) {
        String s = libc.strerror(errno);
        return s != null ? s : "errno " + errno;
    }

    public int socket(int domain, int type, int protocol) {
        return check(libc.socket(domain, type | SOCK_CLOEXEC, protocol), "socket(" + domain + ", " + type + ", " + protocol + ")");
    }

    public void bind(int fd, byte[] address, String what) {
        check(libc.bind(fd, address, address.length), "bind(" + what + ")");
    }

    public void setsockopt(int fd, int level, int option, byte[] value, String what) {
        check(libc.setsockopt(fd, level, option, value, value.length), "setsockopt(" + what + ")");
    }

    /** Sends the whole datagram; EINTR is retried. */
    public void sendto(int fd, byte[] buffer, byte[] address, String what) {
        while (true) {
            long n = libc.sendto(fd, buffer, buffer.length, 0, address, address.length);
            if (n >= 0) {
                if (n != buffer.length) {
                    throw new SyscallException("sendto(" + what + ")", Errno.EMSGSIZE.number(),
                            "sent " + n + " of " + buffer.length + " bytes");
                }
                return;
            }
            int errno = lastErrno();
            if (errno != Errno.EINTR.number()) {
                throw new SyscallException("sendto(" + what + ")", errno, strerror(errno));
            }
        }
    }

    /** Receives one datagram into {@code buffer}; returns its full length (MSG_TRUNC), which may exceed the buffer. */
    public long recv(int fd, Pointer buffer, long capacity, String what) {
        while (true) {
            long n = libc.recv(fd, buffer, capacity, MSG_TRUNC);
            if (n >= 0) {
                return n;
            }
            int errno = lastErrno();
            if (errno != Errno.EINTR.number()) {
                throw new SyscallException("recv(" + what + ")", errno, strerror(errno));
            }
        }
    }

    public void close(int fd) {
        // Never retry close() on Linux: the descriptor is released even when it reports EINTR.
        check(libc.close(fd), "close(" + fd + ")");
    }

    public int openReadOnly(String path) {
        return check(libc.open(path, O_RDONLY | O_CLOEXEC), "open(" + path + ")");
    }

    public void setns(int fd, int nstype, String what) {
        check(libc.setns(fd, nstype), "setns(" + what + ")");
    }

    public void ioctl(int fd, long request, Pointer argument, String what) {
        check(libc.ioctl(fd, request, argument), "ioctl(" + what + ")");
    }

    public int getpid() {
        return libc.getpid();
    }

    /** Native memory owned by the Java heap object (freed when it becomes unreachable). */
    public Pointer allocate(int size) {
        return Memory.allocateDirect(runtime, size, true);
    }

    private int check(int result, String call) {
        if (result < 0) {
            int errno = lastErrno();
            throw new SyscallException(call, errno, strerror(errno));
        }
        return result;
    }
}
