package io.trellis.agent.cniserver;

import static java.util.Objects.requireNonNull;

import io.trellis.agent.interfacestore.AttachmentKey;
import io.trellis.cni.spec.CniException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Serialises the CNI commands of one attachment while letting different attachments proceed in
 * parallel. The runtime should never overlap two commands for one container (SPEC.md), but a
 * kubelet retry racing a slow ADD happens, and the drivers are promised no concurrent calls for one
 * attachment. GC, which looks at every attachment, runs alone.
 */
final class AttachmentLocks {

    /** A lock with the number of threads holding or waiting for it, so that unused ones are dropped. */
    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    private final ConcurrentHashMap<AttachmentKey, Entry> entries = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock all = new ReentrantReadWriteLock();

    /** Work done under a lock; may fail with the CNI error the runtime should see. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws CniException;
    }

    /** Runs {@code work} while holding {@code key}'s lock (and not during GC). */
    <T> T serially(AttachmentKey key, Work<T> work) throws CniException {
        requireNonNull(key, "key");
        all.readLock().lock();
        Entry entry = entries.compute(key, (k, e) -> {
            Entry out = e == null ? new Entry() : e;
            out.users++;
            return out;
        });
        entry.lock.lock();
        try {
            return work.run();
        } finally {
            entry.lock.unlock();
            entries.compute(key, (k, e) -> --e.users == 0 ? null : e);
            all.readLock().unlock();
        }
    }

    /** Runs {@code work} while no attachment command runs (GC). */
    <T> T exclusively(Work<T> work) throws CniException {
        all.writeLock().lock();
        try {
            return work.run();
        } finally {
            all.writeLock().unlock();
        }
    }

    /** Attachments with a holder or waiter (for tests). */
    int inUse() {
        return entries.size();
    }
}
