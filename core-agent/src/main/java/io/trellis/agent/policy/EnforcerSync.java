package io.trellis.agent.policy;

import io.trellis.controlplane.stream.RetryBackoff;
import static java.util.Objects.requireNonNull;

import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.PolicyEnforcer;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyStatistics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link PolicyEnforcer} in step with the policies the agent wants enforced, calling it
 * from one thread (the executor's) in order, as the SPI requires.
 *
 * <p>Callers state the desired rules per policy ({@link #put}, {@link #remove}) or the whole set
 * ({@link #replaceAll}), from any thread. The enforcer thread compares each changed policy with
 * what the enforcer last accepted and calls {@code upsert} only when the rules differ, {@code
 * remove} for policies no longer wanted, and {@code replaceAll} with the whole desired set after a
 * {@link #replaceAll} (a snapshot from the controller). Changes arriving while a call runs are
 * coalesced into the next round.
 *
 * <p>When a call throws, the enforcer keeps what it last accepted (SPI: it must not allow more), and
 * this class calls {@code replaceAll} with the then desired set after a backoff, repeating until
 * one succeeds; incremental calls wait for it meanwhile.
 */
public final class EnforcerSync implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EnforcerSync.class);

    private final PolicyEnforcer enforcer;
    private final ScheduledExecutorService executor;
    private final RetryBackoff backoff;
    private final CountDownLatch firstReplaceAll = new CountDownLatch(1);

    private final Object lock = new Object();
    // Guarded by lock: what the agent wants and what changed since the enforcer thread last looked.
    private final SortedMap<PolicyRef, NetworkPolicyRules> desired = new TreeMap<>(PolicyOrder.POLICY);
    private final SortedSet<PolicyRef> dirty = new TreeSet<>(PolicyOrder.POLICY);
    private boolean replaceAllPending;
    private boolean runQueued;
    private boolean waitingForRetry;
    private int failures;
    private boolean closed;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();

    /** Only touched on the enforcer thread: what the enforcer last accepted. */
    private final Map<PolicyRef, NetworkPolicyRules> applied = new HashMap<>();

    /**
     * @param executor one thread; this class owns it and shuts it down on {@link #close}
     */
    public EnforcerSync(PolicyEnforcer enforcer, ScheduledExecutorService executor, RetryBackoff backoff) {
        this.enforcer = requireNonNull(enforcer, "enforcer");
        this.executor = requireNonNull(executor, "executor");
        this.backoff = requireNonNull(backoff, "backoff");
    }

    /** The policy {@code ref} should have these rules (it has local targets). */
    public void put(NetworkPolicyRules rules) {
        synchronized (lock) {
            if (rules.equals(desired.put(rules.ref(), rules))) {
                return;
            }
            dirty.add(rules.ref());
            kick();
        }
    }

    /** The policy {@code ref} should not be enforced on this node (deleted, or no local target). */
    public void remove(PolicyRef ref) {
        synchronized (lock) {
            if (desired.remove(ref) == null) {
                return;
            }
            dirty.add(ref);
            kick();
        }
    }

    /** The rules currently wanted for {@code ref}. */
    public Optional<NetworkPolicyRules> desired(PolicyRef ref) {
        synchronized (lock) {
            return Optional.ofNullable(desired.get(ref));
        }
    }

    /** These are all the policies to enforce; the enforcer gets them with {@code replaceAll}. */
    public void replaceAll(Map<PolicyRef, NetworkPolicyRules> policies) {
        synchronized (lock) {
            desired.clear();
            desired.putAll(policies);
            dirty.clear();
            replaceAllPending = true;
            kick();
        }
    }

    /**
     * Waits until the enforcer has accepted a {@code replaceAll} for the first time (the first
     * snapshot from the controller); false after {@code timeout}.
     */
    public boolean awaitFirstReplaceAll(Duration timeout) throws InterruptedException {
        return firstReplaceAll.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Reads {@link PolicyEnforcer#statistics()} every {@code period} on the enforcer thread (never
     * concurrently with another enforcer call) and hands each reading to {@code sink}.
     */
    public void reportStatistics(Duration period, Consumer<PolicyStatistics> sink) {
        requireNonNull(sink, "sink");
        long millis = period.toMillis();
        if (millis <= 0) {
            throw new IllegalArgumentException("statistics period must be positive, got " + period);
        }
        ScheduledFuture<?> timer = executor.scheduleWithFixedDelay(() -> {
            try {
                sink.accept(enforcer.statistics());
            } catch (RuntimeException e) {
                LOG.warn("reading or reporting the policy statistics failed: {}", e.toString());
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
        synchronized (lock) {
            timers.add(timer);
        }
    }

    /**
     * Stops calling the enforcer. A call in progress finishes first (not interrupted: the enforcer
     * would be left half-way); pending retries and statistics readings are cancelled.
     */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            timers.forEach(t -> t.cancel(false));
            timers.clear();
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("the policy enforcer thread did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void kick() {
        if (runQueued || waitingForRetry || closed) {
            return;
        }
        runQueued = true;
        submit(this::run);
    }

    private void submit(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("policy enforcer thread stopped; dropping the pending change");
        }
    }

    /** One round on the enforcer thread: take what changed and tell the enforcer. */
    private void run() {
        Work work;
        synchronized (lock) {
            runQueued = false;
            if (waitingForRetry || closed) {
                return;
            }
            work = takeWork();
        }
        try {
            apply(work);
            synchronized (lock) {
                failures = 0;
            }
        } catch (RuntimeException e) {
            Duration delay;
            int failed;
            synchronized (lock) {
                failed = ++failures;
                delay = backoff.delay(failures);
                replaceAllPending = true;   // the retry sends the whole then-desired set
                waitingForRetry = true;
            }
            LOG.warn("policy enforcer failed ({} in a row): {}; the enforcer keeps its last state; replaceAll again in {} ms",
                    failed, e.toString(), delay.toMillis());
            synchronized (lock) {
                if (closed) {
                    return;
                }
                try {
                    timers.removeIf(java.util.concurrent.Future::isDone);
                    timers.add(executor.schedule(this::retry, delay.toMillis(), TimeUnit.MILLISECONDS));
                } catch (RejectedExecutionException stopped) {
                    LOG.debug("policy enforcer thread stopped; no retry");
                }
            }
        }
    }

    private void retry() {
        synchronized (lock) {
            waitingForRetry = false;
        }
        run();
    }

    private Work takeWork() {
        if (replaceAllPending) {
            replaceAllPending = false;
            dirty.clear();
            return new Work(Optional.of(new TreeMap<>(desired)), new TreeMap<>(PolicyOrder.POLICY));
        }
        SortedMap<PolicyRef, Optional<NetworkPolicyRules>> changes = new TreeMap<>(PolicyOrder.POLICY);
        dirty.forEach(ref -> changes.put(ref, Optional.ofNullable(desired.get(ref))));
        dirty.clear();
        return new Work(Optional.empty(), changes);
    }

    /** A round's calls: either a full replaceAll, or per-policy changes (in name order). */
    private record Work(Optional<SortedMap<PolicyRef, NetworkPolicyRules>> all,
                        SortedMap<PolicyRef, Optional<NetworkPolicyRules>> changes) {
    }

    private void apply(Work work) {
        if (work.all().isPresent()) {
            List<NetworkPolicyRules> policies = List.copyOf(work.all().get().values());
            enforcer.replaceAll(policies);
            applied.clear();
            applied.putAll(work.all().get());
            LOG.info("policy enforcer: replaced all, {} polic{} with local pods", policies.size(),
                    policies.size() == 1 ? "y" : "ies");
            firstReplaceAll.countDown();
            return;
        }
        work.changes().forEach((ref, want) -> {
            NetworkPolicyRules have = applied.get(ref);
            if (want.isPresent() && !want.get().equals(have)) {
                enforcer.upsert(want.get());
                applied.put(ref, want.get());
                LOG.debug("policy enforcer: upserted {}", ref);
            } else if (want.isEmpty() && have != null) {
                enforcer.remove(ref);
                applied.remove(ref);
                LOG.debug("policy enforcer: removed {}", ref);
            }
        });
    }

    /** For tests: waits until every round queued so far has run (not retries scheduled for later). */
    void awaitQueued() throws Exception {
        executor.submit(() -> { }).get(10, TimeUnit.SECONDS);
    }
}
