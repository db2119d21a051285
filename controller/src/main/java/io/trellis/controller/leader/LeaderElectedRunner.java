package io.trellis.controller.leader;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.trellis.controller.config.LeaderElectionSettings;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a piece of work only while this replica holds the coordination.k8s.io Lease (fabric8's LeaderElector with
 * a LeaseLock). The work starts on acquiring the Lease and is closed on losing it; a replica that lost the Lease
 * competes again. {@link #close} stops the work and releases the Lease (fabric8 shortens it to one second
 * from now) so that another replica takes over within about a second instead of after the lease duration.
 */
public final class LeaderElectedRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElectedRunner.class);

    private final KubernetesClient client;
    private final LeaderElectionSettings settings;
    private final String identity;
    private final Supplier<AutoCloseable> work;
    private final ExecutorService executor;
    private AutoCloseable running;
    private CompletableFuture<?> election;
    private LeaderElector elector;
    private boolean closed;
    private volatile String leader = "";
    private int terms;

    /**
     * @param identity this replica's holder identity in the Lease
     * @param work     started when this replica becomes the leader; closed when it stops being the leader
     */
    public LeaderElectedRunner(KubernetesClient client, LeaderElectionSettings settings, String identity,
                               Supplier<AutoCloseable> work) {
        this.client = requireNonNull(client, "client");
        this.settings = requireNonNull(settings, "settings");
        this.identity = requireNonNull(identity, "identity");
        this.work = requireNonNull(work, "work");
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "leader-election-" + identity);
            t.setDaemon(true);
            return t;
        });
    }

    public synchronized void start() {
        if (closed || election != null) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        compete();
    }

    /** Whether this replica holds the Lease and runs the work. */
    public synchronized boolean isLeading() {
        return running != null;
    }

    /** How many times this replica has become the leader and started the work. */
    public synchronized int terms() {
        return terms;
    }

    /** The identity of the leader last seen, empty before any. */
    public String leader() {
        return leader;
    }

    public String identity() {
        return identity;
    }

    private synchronized void compete() {
        LeaderElector candidate = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName("trellis-controller")
                .withLock(new LeaseLock(settings.leaseNamespace(), settings.leaseName(), identity))
                .withLeaseDuration(settings.leaseDuration())
                .withRenewDeadline(settings.renewDeadline())
                .withRetryPeriod(settings.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::startLeading, this::stopLeading, this::newLeader))
                .build()).build();
        LOG.info("{} competing for Lease {}/{}", identity, settings.leaseNamespace(), settings.leaseName());
        CompletableFuture<?> future = candidate.start();
        elector = candidate;
        election = future;
        // The future completes when leadership is lost (or on a failure); then, after a retry period, compete
        // again unless closing.
        future.whenCompleteAsync((ignored, failure) -> {
            synchronized (this) {
                if (closed || election != future) {
                    return;
                }
                if (failure != null) {
                    LOG.warn("{}: leader election ended: {}", identity, failure.toString());
                }
                compete();
            }
        }, CompletableFuture.delayedExecutor(settings.retryPeriod().toMillis(), TimeUnit.MILLISECONDS, executor));
    }

    private synchronized void startLeading() {
        if (closed || running != null) {
            return;
        }
        LOG.info("{} is the leader (Lease {}/{})", identity, settings.leaseNamespace(), settings.leaseName());
        try {
            running = work.get();
        } catch (RuntimeException e) {
            // Holding the Lease without doing the work would stall every replica: give it up and compete again.
            LOG.error("{}: cannot start the leader's work; releasing the Lease", identity, e);
            election.cancel(true);
            return;
        }
        terms++;
    }

    private synchronized void stopLeading() {
        if (running != null) {
            LOG.info("{} is no longer the leader; stopping", identity);
            closeQuietly(running);
            running = null;
        }
    }

    private void newLeader(String who) {
        // fabric8 reports null when a leader released the Lease.
        leader = who == null ? "" : who;
        LOG.info(who == null ? "the Lease is free" : "leader is now {}", who);
    }

    @Override
    public void close() {
        CompletableFuture<?> future;
        LeaderElector last;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            future = election;
            last = elector;
            stopLeading();
        }
        if (future != null) {
            future.cancel(true);
            // releaseOnCancel releases asynchronously, possibly after the caller has closed the client: release
            // here, before returning, so that another replica need not wait for the Lease to expire.
            try {
                if (last.release()) {
                    LOG.info("{} released Lease {}/{}", identity, settings.leaseNamespace(), settings.leaseName());
                }
            } catch (RuntimeException e) {
                LOG.warn("{}: cannot release Lease {}/{}: {}", identity, settings.leaseNamespace(), settings.leaseName(),
                        e.toString());
            }
        }
        executor.shutdown();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("stopping the leader's work failed: {}", e.toString());
        }
    }
}
