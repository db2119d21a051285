package io.trellis.ovs.service;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a {@link ServiceHostState} up to date with the proxy's Services, once per batch: a change
 * only marks the state stale ({@link #changed()}); one thread applies the latest snapshot
 * {@code delay} after the first mark, so the agent's batch of upserts costs one iptables-restore
 * and one route reconciliation, not one per Service. A failed apply is retried after
 * {@code retry}. {@link #applyNow} applies on the caller's thread (the proxy's replaceAll, whose
 * errors the agent handles).
 *
 * <p>Snapshots carry a version that grows with every change of the Services (and when the host
 * lost its state): a version is applied once, and an older snapshot (taken before a newer one was
 * applied on another thread) is never applied over a newer one.
 */
final class HostStateUpdates implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostStateUpdates.class);

    /** The Services as of one version of the proxy's state. */
    record Snapshot(long version, List<DesiredService> services) {
        Snapshot {
            services = List.copyOf(requireNonNull(services, "services"));
        }
    }

    private final ServiceHostState target;
    private final Supplier<Snapshot> snapshots;
    private final Duration delay;
    private final Duration retry;
    private final ScheduledExecutorService executor;
    /** Whether a run is scheduled; guarded by this. */
    private boolean pending;
    private final Object applyLock = new Object();
    /** The version last applied; guarded by applyLock. */
    private long appliedVersion = -1;

    /**
     * @param snapshots the proxy's current Services; called on this class's thread, so it must not
     *                  wait for anything that waits for an apply
     */
    HostStateUpdates(ServiceHostState target, Supplier<Snapshot> snapshots, Duration delay, Duration retry) {
        this.target = requireNonNull(target, "target");
        this.snapshots = requireNonNull(snapshots, "snapshots");
        this.delay = requireNonNull(delay, "delay");
        this.retry = requireNonNull(retry, "retry");
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trellis-service-host");
            t.setDaemon(true);
            return t;
        });
    }

    /** The Services changed in a way the host cares about (or the host lost its state): apply soon. */
    synchronized void changed() {
        if (target != ServiceHostState.NONE) { // nothing to do: no thread either
            schedule(delay);
        }
    }

    /** Applies {@code snapshot} now, unless it or a newer one was applied already. */
    void applyNow(Snapshot snapshot) {
        requireNonNull(snapshot, "snapshot");
        synchronized (applyLock) {
            // A version applied already (by replaceAll on its thread, the batch run then finding
            // nothing new) is not applied again: each apply saves and restores iptables tables,
            // and a stray one could undo what someone did after it (an uninstall).
            if (snapshot.version() <= appliedVersion) {
                return;
            }
            target.apply(snapshot.services());
            appliedVersion = snapshot.version();
        }
    }

    private void schedule(Duration after) {
        if (pending) {
            return;
        }
        try {
            executor.schedule(this::runPending, after.toMillis(), TimeUnit.MILLISECONDS);
            pending = true;
        } catch (RejectedExecutionException e) {
            LOG.debug("closed: host state not updated");
        }
    }

    private void runPending() {
        synchronized (this) {
            pending = false;
        }
        try {
            // The snapshot first, outside applyLock: the proxy holds its own lock while it calls applyNow.
            applyNow(snapshots.get());
        } catch (RuntimeException e) {
            LOG.warn("services: updating the node's iptables rules and routes failed, retrying in {} ms: {}",
                    retry.toMillis(), e.getMessage(), e);
            synchronized (this) {
                schedule(retry);
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
