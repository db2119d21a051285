package io.trellis.netlink.netns;

import io.trellis.netlink.sys.Syscalls;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs code inside a network namespace. setns(2) changes only the calling thread, so each call runs on a
 * fresh platform thread that enters the namespace, runs the task, and restores its original namespace before
 * it ends: the caller's threads never change namespace. Sockets opened by the task stay in the target
 * namespace for their whole life, which is how the rest of this module works "inside" a namespace.
 */
public final class NamespaceSwitcher {
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceSwitcher.class);

    private final Syscalls sys;

    public NamespaceSwitcher(Syscalls sys) {
        this.sys = Objects.requireNonNull(sys, "sys");
    }

    public <T> T call(NetNamespace namespace, Callable<T> task) {
        Objects.requireNonNull(task, "task");
        int targetFd = namespace.fd();
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                int originFd = sys.openReadOnly("/proc/thread-self/ns/net");
                try {
                    sys.setns(targetFd, Syscalls.CLONE_NEWNET, namespace.description());
                    try {
                        result.set(task.call());
                    } finally {
                        restore(originFd);
                    }
                } finally {
                    sys.close(originFd);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "netns " + namespace.description());
        worker.setDaemon(true);
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running in netns " + namespace.description(), e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        if (t != null) {
            throw new IllegalStateException("in netns " + namespace.description() + ": " + t.getMessage(), t);
        }
        return result.get();
    }

    public void run(NetNamespace namespace, Runnable task) {
        call(namespace, () -> {
            task.run();
            return null;
        });
    }

    private void restore(int originFd) {
        try {
            sys.setns(originFd, Syscalls.CLONE_NEWNET, "origin netns");
        } catch (RuntimeException e) {
            // The thread ends right after this, so a failed restore cannot leak into other work.
            LOG.warn("could not restore the worker thread's netns: {}", e.getMessage());
        }
    }
}
