package io.trellis.ovs.openflow.client;

import io.trellis.ovs.openflow.message.ErrorMessage;
import io.trellis.ovs.openflow.message.MultipartReply;
import io.trellis.ovs.openflow.message.OfMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Requests awaiting a reply, by xid, each with its own timeout; plus xid ranges of batches
 * (bundle adds, flow-mod bursts) that have no reply of their own but whose errors must be caught.
 * Thread-safe: replies arrive on the event loop, requests are registered from any thread.
 */
final class PendingRequests {

    private final Map<Integer, Pending> byXid = new ConcurrentHashMap<>();
    private final Set<XidRange> ranges = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService scheduler;

    PendingRequests(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /** A request whose one reply (or multipart sequence) completes {@link #future}. */
    private static final class Pending {
        final String description;
        final boolean multipart;
        final CompletableFuture<Object> future = new CompletableFuture<>();
        final List<Object> entries = new ArrayList<>();
        volatile ScheduledFuture<?> timeout;

        Pending(String description, boolean multipart) {
            this.description = description;
            this.multipart = multipart;
        }
    }

    /** Xids of a batch of messages that get no reply unless they fail; keeps the first error. */
    static final class XidRange {
        private final int first;
        private final long count;
        private final AtomicReference<ErrorMessage> firstError = new AtomicReference<>();

        XidRange(int first, int count) {
            this.first = first;
            this.count = count;
        }

        boolean contains(int xid) {
            return Integer.toUnsignedLong(xid - first) < count;
        }

        ErrorMessage firstError() {
            return firstError.get();
        }
    }

    @SuppressWarnings("unchecked")
    CompletableFuture<OfMessage> expectReply(int xid, String description, Duration timeout) {
        return (CompletableFuture<OfMessage>) (CompletableFuture<?>) register(xid, description, false, timeout);
    }

    /** Collects the entries of every reply part until one arrives without the MORE flag. */
    @SuppressWarnings("unchecked")
    <T> CompletableFuture<List<T>> expectMultipart(int xid, String description, Duration timeout) {
        return (CompletableFuture<List<T>>) (CompletableFuture<?>) register(xid, description, true, timeout);
    }

    private CompletableFuture<Object> register(int xid, String description, boolean multipart, Duration timeout) {
        Pending p = new Pending(description, multipart);
        if (byXid.putIfAbsent(xid, p) != null) {
            throw new IllegalStateException("xid 0x" + Integer.toHexString(xid) + " is already pending");
        }
        p.timeout = scheduler.schedule(() -> {
            if (byXid.remove(xid, p)) {
                p.future.completeExceptionally(new OpenFlowTimeoutException(
                        "no reply to " + description + " within " + timeout.toMillis() + " ms"));
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        p.future.whenComplete((r, e) -> {
            ScheduledFuture<?> t = p.timeout;
            if (t != null) {
                t.cancel(false);
            }
        });
        return p.future;
    }

    XidRange trackRange(int firstXid, int count) {
        XidRange range = new XidRange(firstXid, count);
        ranges.add(range);
        return range;
    }

    void untrack(XidRange range) {
        ranges.remove(range);
    }

    /** Fails a pending request from the caller's side (e.g. its write failed). */
    void fail(int xid, Throwable cause) {
        Pending p = byXid.remove(xid);
        if (p != null) {
            p.future.completeExceptionally(cause);
        }
    }

    /**
     * Routes a message from the switch to the request it answers. Returns false when nothing was
     * waiting for it (the caller then treats it as unsolicited).
     */
    boolean onMessage(OfMessage message) {
        int xid = message.xid();
        Pending p = byXid.get(xid);
        if (p != null) {
            if (message instanceof ErrorMessage error) {
                byXid.remove(xid, p);
                p.future.completeExceptionally(new OpenFlowErrorException(p.description + " failed", error));
                return true;
            }
            if (p.multipart && message instanceof MultipartReply part) {
                synchronized (p.entries) {
                    p.entries.addAll(part.entries());
                }
                if (!part.more() && byXid.remove(xid, p)) {
                    synchronized (p.entries) {
                        p.future.complete(List.copyOf(p.entries));
                    }
                }
                return true;
            }
            byXid.remove(xid, p);
            p.future.complete(message);
            return true;
        }
        if (message instanceof ErrorMessage error) {
            for (XidRange range : ranges) {
                if (range.contains(xid)) {
                    range.firstError.compareAndSet(null, error);
                    return true;
                }
            }
        }
        return false;
    }

    /** Fails everything pending (connection lost or client closed). */
    void failAll(Throwable cause) {
        for (Integer xid : List.copyOf(byXid.keySet())) {
            Pending p = byXid.remove(xid);
            if (p != null) {
                p.future.completeExceptionally(cause);
            }
        }
    }

    int size() {
        return byXid.size();
    }
}
