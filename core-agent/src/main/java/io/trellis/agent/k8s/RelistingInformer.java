package io.trellis.agent.k8s;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fabric8 informer that comes back from an API server outage with a complete list.
 *
 * <p>While the API server is unreachable the informer's cache keeps the last state it saw, so its
 * users keep the data plane as it is. When the server answers again fabric8 resumes the watch from
 * the last resourceVersion it had; a server that cannot replay the events since then (a restarted
 * server without that history, or one that silently starts from "now") would leave changes made
 * during the outage unseen, deletions above all. So once the watch has been down for at least two
 * checks and is back, this replaces the informer with a new one, whose first list is the complete
 * current state, and then calls {@code afterRelist}: the users resync from {@link #list()} there.
 * An informer that stopped for good (its first list failed) is replaced as well.
 *
 * <p>The checks, replacements and {@code afterRelist} run on the caller's scheduler, so a user with
 * one thread sees them in order with its own work. The event handler is attached to every
 * informer this creates; a replacement's first list arrives as additions.
 */
final class RelistingInformer<T extends HasMetadata> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelistingInformer.class);
    /** Checks without a watch before it counts as an outage (a watch the server closes is back within one). */
    static final int OUTAGE_CHECKS = 2;

    private final String what;
    private final Supplier<SharedIndexInformer<T>> factory;
    private final ResourceEventHandler<T> handler;
    private final Runnable afterRelist;
    private final ScheduledExecutorService scheduler;
    private final Duration checkEvery;
    private volatile SharedIndexInformer<T> current;
    private volatile boolean closed;
    // Only touched on the scheduler thread:
    private int checksWithoutWatch;
    private long outageSince;
    private boolean relisting;

    /**
     * @param what        what it lists, for the log ("Nodes", "Pods on node n1")
     * @param factory     a new, not yet started informer on each call
     * @param afterRelist runs on {@code scheduler} once a replacement informer has listed
     * @param checkEvery  how often the watch is checked
     */
    RelistingInformer(String what, Supplier<SharedIndexInformer<T>> factory, ResourceEventHandler<T> handler,
                      Runnable afterRelist, ScheduledExecutorService scheduler, Duration checkEvery) {
        this.what = requireNonNull(what, "what");
        this.factory = requireNonNull(factory, "factory");
        this.handler = requireNonNull(handler, "handler");
        this.afterRelist = requireNonNull(afterRelist, "afterRelist");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.checkEvery = requireNonNull(checkEvery, "checkEvery");
        if (checkEvery.isNegative() || checkEvery.isZero()) {
            throw new IllegalArgumentException("check period must be positive, got " + checkEvery);
        }
    }

    /**
     * Starts the first informer and the checks; the result completes once it has listed (or
     * exceptionally when that list failed: the checks then keep trying with new informers).
     */
    CompletableFuture<Void> start() {
        if (current != null) {
            throw new IllegalStateException(what + ": already started");
        }
        current = newInformer();
        CompletableFuture<Void> listed = current.start().toCompletableFuture();
        long period = checkEvery.toMillis();
        scheduler.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
        return listed;
    }

    /** The objects as last listed or watched. */
    List<T> list() {
        return current.getStore().list();
    }

    /** One object by its cache key ({@code namespace/name}, or the name of a cluster-scoped object). */
    Optional<T> get(String key) {
        return Optional.ofNullable(current.getStore().getByKey(key));
    }

    /** Whether the current informer has listed and holds a watch: its cache is up to date. */
    boolean isCurrent() {
        SharedIndexInformer<T> informer = current;
        return informer.hasSynced() && informer.isWatching() && !relisting;
    }

    @Override
    public void close() {
        closed = true;
        SharedIndexInformer<T> informer = current;
        if (informer != null) {
            informer.close();
        }
    }

    private SharedIndexInformer<T> newInformer() {
        SharedIndexInformer<T> informer = factory.get();
        informer.addEventHandler(handler);
        // Once it has listed, any failure is retried (fabric8's default gives up on a closed watch):
        // an agent never stops following the API server.
        informer.exceptionHandler((started, failure) -> started);
        return informer;
    }

    // ------------------------------------------------------------------ scheduler thread

    void check() {
        if (closed || relisting) {
            return;
        }
        SharedIndexInformer<T> informer = current;
        if (!informer.isRunning()) {
            LOG.warn("{}: the informer has stopped (its list failed); listing again", what);
            relist();
            return;
        }
        if (!informer.hasSynced()) {
            return;   // still listing
        }
        if (informer.isWatching()) {
            if (checksWithoutWatch >= OUTAGE_CHECKS) {
                LOG.info("{}: the API server answers again after {} ms without a watch; listing again to resync",
                        what, (System.nanoTime() - outageSince) / 1_000_000);
                checksWithoutWatch = 0;
                relist();
            }
            checksWithoutWatch = 0;
            return;
        }
        if (checksWithoutWatch++ == 0) {
            outageSince = System.nanoTime();
        }
        if (checksWithoutWatch == OUTAGE_CHECKS) {
            LOG.warn("{}: lost the watch (API server unreachable?); keeping the last known state until it is back",
                    what);
        }
    }

    private void relist() {
        relisting = true;
        current.close();
        SharedIndexInformer<T> replacement = newInformer();
        current = replacement;
        replacement.start().whenComplete((ok, failure) -> {
            try {
                scheduler.execute(() -> relisted(replacement, failure));
            } catch (RejectedExecutionException stopped) {
                // closed meanwhile
            }
        });
    }

    private void relisted(SharedIndexInformer<T> replacement, Throwable failure) {
        relisting = false;
        if (closed) {
            return;
        }
        if (failure != null) {
            // The informer has stopped: the next check replaces it again.
            LOG.warn("{}: listing failed ({}); trying again", what, failure.getMessage());
            return;
        }
        LOG.info("{}: listed {} object(s) again", what, replacement.getStore().list().size());
        afterRelist.run();
    }
}
