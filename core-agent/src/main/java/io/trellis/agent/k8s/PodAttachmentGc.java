package io.trellis.agent.k8s;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.trellis.agent.interfacestore.AttachmentKey;
import io.trellis.agent.interfacestore.AttachmentRecord;
import io.trellis.agent.interfacestore.AttachmentStore;
import io.trellis.spi.model.PodRef;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases the attachments of pods that no longer exist, through a Pod informer on this node's
 * pods ({@code spec.nodeName=<node>}). The runtime normally sends CNI DEL itself; this catches what
 * it never will: a pod deleted while the agent was down, a runtime that lost its state.
 *
 * <p>A sweep runs after every complete list (the first one, and each one after an API server
 * outage) and after every Pod deletion. It marks each attachment in the {@link AttachmentStore}
 * whose pod (namespace/name) is not on this node; an attachment still marked after the grace
 * period, whose pod a direct GET confirms gone (or bound to another node), is released through the
 * {@link Releaser}, DEL's own path, so IPAM, the pod interface and the store stay consistent. The
 * grace period leaves the runtime's DEL room to come first, and covers an ADD racing the watch of a
 * new pod. Nothing is decided while the informer's cache may be stale (no watch, or listing): an
 * outage never releases anything. The attachment store keeps no pod UID, so a pod recreated under
 * the same name on this node keeps the old attachment alive until the runtime's DEL or GC.
 *
 * <p>Sweeps and releases run on one thread of this class.
 */
public final class PodAttachmentGc implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PodAttachmentGc.class);
    /** How often the Pod watch is checked (see {@link RelistingInformer}). */
    static final Duration WATCH_CHECK = Duration.ofSeconds(1);
    /** Least delay before sweeping again while attachments are marked (a release that failed, a stale cache). */
    static final Duration MIN_RESWEEP = Duration.ofSeconds(1);
    /** Delay before trying again when confirming or releasing failed. */
    static final Duration RELEASE_RETRY = Duration.ofSeconds(10);

    /** Releases one attachment the way CNI DEL does. */
    @FunctionalInterface
    public interface Releaser {
        /** @return false when the store no longer held that attachment (a DEL or a new ADD came first) */
        boolean release(AttachmentRecord record) throws Exception;
    }

    private final KubernetesClient client;
    private final String nodeName;
    private final AttachmentStore store;
    private final Releaser releaser;
    private final Duration grace;
    private final ScheduledThreadPoolExecutor worker;
    private final RelistingInformer<Pod> informer;
    /** Marked attachments and when they were first seen without their pod; worker thread only. */
    private final Map<AttachmentKey, Long> missingSince = new HashMap<>();
    private ScheduledFuture<?> nextSweep;

    /**
     * @param grace how long a pod must have been gone before its attachment is released (the
     *              runtime's DEL normally comes well within it)
     */
    public PodAttachmentGc(KubernetesClient client, String nodeName, AttachmentStore store, Releaser releaser,
                           Duration grace) {
        this(client, nodeName, client.pods().inAnyNamespace().withField("spec.nodeName",
                requireNonNull(nodeName, "nodeName")), store, releaser, grace);
    }

    /** @param podsOfNode what the informer lists and watches (tests: a server that cannot select by field) */
    PodAttachmentGc(KubernetesClient client, String nodeName, Informable<Pod> podsOfNode, AttachmentStore store,
                    Releaser releaser, Duration grace) {
        this.client = requireNonNull(client, "client");
        this.nodeName = requireNonNull(nodeName, "nodeName");
        requireNonNull(podsOfNode, "podsOfNode");
        this.store = requireNonNull(store, "store");
        this.releaser = requireNonNull(releaser, "releaser");
        this.grace = requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("pod GC grace period must not be negative, got " + grace);
        }
        this.worker = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "trellis-pod-gc");
            t.setDaemon(true);
            return t;
        });
        worker.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        ResourceEventHandler<Pod> events = new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                // a marked attachment whose pod appears is unmarked by the next sweep
            }

            @Override
            public void onUpdate(Pod oldPod, Pod newPod) {
                // nothing: only presence matters
            }

            @Override
            public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                submit(PodAttachmentGc.this::sweep);
            }
        };
        this.informer = new RelistingInformer<>("Pods on node " + nodeName, () -> podsOfNode.runnableInformer(0),
                events, this::sweep, worker, WATCH_CHECK);
    }

    /** Starts the informer; the first sweep follows its first list. Does not wait for it. */
    public void start() {
        informer.start().whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.warn("pod GC: listing the Pods on node {} failed ({}); trying again", nodeName,
                        failure.getMessage());
            } else {
                submit(this::sweep);
            }
        });
    }

    /** Stops the informer and lets a release in progress finish (no driver call after this returns). */
    @Override
    public void close() {
        informer.close();
        worker.shutdown();
        try {
            if (!worker.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("pod GC: a release still runs after 30 s; stopping it");
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the informer has listed and watches: its cache is up to date (for tests). */
    boolean isCurrent() {
        return informer.isCurrent();
    }

    private void submit(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException closed) {
            // closing
        }
    }

    // ------------------------------------------------------------------ worker thread

    /** Marks attachments without their pod, releases those marked for longer than the grace period. */
    void sweep() {
        if (worker.isShutdown()) {
            return;
        }
        if (!informer.isCurrent()) {
            // The cache may be stale (no watch) or partial (listing): decide nothing on it. A relist
            // sweeps again when it completes; marked attachments keep their time.
            if (!missingSince.isEmpty()) {
                scheduleSweep(MIN_RESWEEP);
            }
            return;
        }
        long now = System.nanoTime();
        Set<AttachmentKey> known = new HashSet<>();
        for (AttachmentRecord record : store.all()) {
            AttachmentKey key = record.key();
            known.add(key);
            PodRef pod = record.attachment().pod();
            if (onThisNode(pod)) {
                missingSince.remove(key);
                continue;
            }
            Long since = missingSince.putIfAbsent(key, now);
            if (since == null) {
                LOG.info("pod GC: pod {} of attachment {} is not on node {}; releasing the attachment in {} s unless"
                        + " the pod appears or the runtime deletes it first", pod, key, nodeName, grace.toSeconds());
            } else if (now - since >= grace.toNanos()) {
                collect(record, Duration.ofNanos(now - since));
            }
        }
        missingSince.keySet().retainAll(known);
        if (!missingSince.isEmpty()) {
            long due = missingSince.values().stream().mapToLong(since -> since + grace.toNanos()).min().orElseThrow();
            scheduleSweep(Duration.ofNanos(Math.max(due - System.nanoTime(), MIN_RESWEEP.toNanos())));
        }
    }

    private boolean onThisNode(PodRef pod) {
        return informer.get(pod.namespace() + "/" + pod.name())
                .map(p -> p.getSpec() != null && nodeName.equals(p.getSpec().getNodeName()))
                .orElse(false);
    }

    private void collect(AttachmentRecord record, Duration gone) {
        PodRef ref = record.attachment().pod();
        AttachmentKey key = record.key();
        // The cache said so; the API server has the last word (a cache that missed an ADDED event
        // must not cost a running pod its address).
        Pod pod;
        try {
            pod = client.pods().inNamespace(ref.namespace()).withName(ref.name()).get();
        } catch (KubernetesClientException e) {
            LOG.warn("pod GC: cannot confirm that pod {} is gone ({}); keeping attachment {} for now", ref,
                    e.getMessage(), key);
            retryLater(key);
            return;
        }
        if (pod != null && pod.getSpec() != null && nodeName.equals(pod.getSpec().getNodeName())) {
            LOG.warn("pod GC: pod {} is on node {} although the Pod informer does not list it; keeping attachment {}",
                    ref, nodeName, key);
            missingSince.remove(key);
            return;
        }
        try {
            if (releaser.release(record)) {
                LOG.info("pod GC: released attachment {} of pod {}, gone from node {} for {} s", key, ref, nodeName,
                        gone.toSeconds());
            }
            missingSince.remove(key);
        } catch (Exception e) {
            LOG.warn("pod GC: releasing attachment {} of pod {} failed ({}); trying again in {} s", key, ref,
                    e.getMessage(), RELEASE_RETRY.toSeconds());
            retryLater(key);
        }
    }

    /** Keeps the mark, due again after {@link #RELEASE_RETRY}. */
    private void retryLater(AttachmentKey key) {
        missingSince.put(key, System.nanoTime() - grace.toNanos() + RELEASE_RETRY.toNanos());
    }

    private void scheduleSweep(Duration delay) {
        if (nextSweep != null && !nextSweep.isDone() && nextSweep.getDelay(TimeUnit.NANOSECONDS) <= delay.toNanos()) {
            return;   // an earlier one is scheduled already
        }
        if (nextSweep != null) {
            nextSweep.cancel(false);
        }
        try {
            nextSweep = worker.schedule(this::sweep, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            // closing
        }
    }
}
