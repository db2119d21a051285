package io.trellis.agent.k8s;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceProxy;
import io.trellis.spi.service.ServiceRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link ServiceProxy} in step with the cluster's Services and EndpointSlices
 * ({@code discovery.k8s.io/v1}), through two informers joined by the slices' label
 * {@code kubernetes.io/service-name} ({@link ServiceObjects}).
 *
 * <p>Calls: {@code replaceAll} with every proxied Service once both informers have listed, every
 * {@code resync} period, after either informer listed again (API server outage) and soon after a
 * failed call; in between, events mark their Service changed and the marked Services are sent
 * together {@code batchDelay} after the first mark, each once ({@code upsert}, or {@code remove}
 * when it is gone or has nothing to proxy: headless, ExternalName, no IPv4 cluster IP, malformed).
 * So a burst (10,000 Services created, a rollout touching a slice many times) costs one call per
 * Service, and the first list none at all beyond the first {@code replaceAll}.
 *
 * <p>Every proxy call runs on one thread of this class, in order, as the SPI promises.
 */
public final class ServiceSync implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceSync.class);

    /** Delay before a full sync after a proxy call failed. */
    static final Duration RETRY_DELAY = Duration.ofSeconds(2);
    /** How often the watches are checked (see {@link RelistingInformer}). */
    static final Duration WATCH_CHECK = Duration.ofSeconds(1);
    /** How long changes are gathered before they are sent. */
    public static final Duration DEFAULT_BATCH_DELAY = Duration.ofMillis(100);

    private final KubernetesClient client;
    private final ServiceProxy proxy;
    private final Duration resync;
    private final Duration batchDelay;
    private final ScheduledExecutorService calls;
    private RelistingInformer<io.fabric8.kubernetes.api.model.Service> services;
    private RelistingInformer<EndpointSlice> slices;
    // Only touched on the calls thread:
    /** Slices by Service, then by slice name; rebuilt from the informer at every full sync. */
    private final Map<ServiceRef, Map<String, EndpointSlice>> slicesByService = new HashMap<>();
    private final Set<ServiceRef> changed = new LinkedHashSet<>();
    private boolean flushPending;
    private boolean retryPending;
    /** The first full sync has run: before it, events only mark (the full sync sends them all at once). */
    private boolean synced;

    /**
     * @param resync     how often the proxy gets the complete set again
     * @param batchDelay how long changes are gathered before they are sent
     */
    public ServiceSync(KubernetesClient client, ServiceProxy proxy, Duration resync, Duration batchDelay) {
        this.client = requireNonNull(client, "client");
        this.proxy = requireNonNull(proxy, "proxy");
        this.resync = positive("service resync period", resync);
        this.batchDelay = positive("service batch delay", batchDelay);
        this.calls = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trellis-services");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts both informers, waits up to {@code timeout} for their first lists and makes the first
     * full sync; a failed first sync is logged and retried like any other.
     *
     * @throws IllegalStateException when Services or EndpointSlices could not be listed in time
     */
    public void start(Duration timeout) throws InterruptedException {
        ResourceEventHandler<io.fabric8.kubernetes.api.model.Service> serviceEvents = new ResourceEventHandler<>() {
            @Override
            public void onAdd(io.fabric8.kubernetes.api.model.Service service) {
                calls.execute(() -> mark(ServiceObjects.refOf(service)));
            }

            @Override
            public void onUpdate(io.fabric8.kubernetes.api.model.Service old, io.fabric8.kubernetes.api.model.Service now) {
                calls.execute(() -> mark(ServiceObjects.refOf(now)));
            }

            @Override
            public void onDelete(io.fabric8.kubernetes.api.model.Service service, boolean finalStateUnknown) {
                calls.execute(() -> mark(ServiceObjects.refOf(service)));
            }
        };
        ResourceEventHandler<EndpointSlice> sliceEvents = new ResourceEventHandler<>() {
            @Override
            public void onAdd(EndpointSlice slice) {
                calls.execute(() -> sliceChanged(null, slice));
            }

            @Override
            public void onUpdate(EndpointSlice old, EndpointSlice now) {
                calls.execute(() -> sliceChanged(old, now));
            }

            @Override
            public void onDelete(EndpointSlice slice, boolean finalStateUnknown) {
                calls.execute(() -> sliceChanged(slice, null));
            }
        };
        // No informer resync: the full syncs give the proxy the whole set instead of one update per Service.
        services = new RelistingInformer<>("Services", () -> client.services().inAnyNamespace().runnableInformer(0),
                serviceEvents, this::fullSync, calls, WATCH_CHECK);
        slices = new RelistingInformer<>("EndpointSlices",
                () -> client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0), sliceEvents,
                this::fullSync, calls, WATCH_CHECK);
        try {
            CompletableFuture.allOf(services.start(), slices.start()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("listing Services and EndpointSlices for the Service proxy failed: "
                    + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
        }
        try {
            calls.submit(this::fullSync).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("first Service sync failed: " + e.getCause().getMessage(), e);
        }
        long period = resync.toMillis();
        calls.scheduleWithFixedDelay(this::fullSync, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (services != null) {
            services.close();
        }
        if (slices != null) {
            slices.close();
        }
        calls.shutdownNow();
    }

    // ------------------------------------------------------------------ calls thread

    /** {@code replaceAll} with every Service to proxy, joined with its slices as the informers have them now. */
    void fullSync() {
        retryPending = false;
        changed.clear();
        slicesByService.clear();
        for (EndpointSlice slice : slices.list()) {
            index(slice);
        }
        List<Service> desired = new ArrayList<>();
        for (var service : services.list()) {
            build(ServiceObjects.refOf(service)).ifPresent(desired::add);
        }
        synced = true;
        try {
            long started = System.nanoTime();
            proxy.replaceAll(desired);
            LOG.debug("services: full sync with {} services in {} ms", desired.size(),
                    (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException e) {
            failed("full sync", e);
        }
    }

    private void sliceChanged(EndpointSlice old, EndpointSlice now) {
        if (old != null) {
            ServiceObjects.serviceOf(old).ifPresent(ref -> {
                Map<String, EndpointSlice> of = slicesByService.get(ref);
                if (of != null) {
                    of.remove(old.getMetadata().getName());
                    if (of.isEmpty()) {
                        slicesByService.remove(ref);
                    }
                }
                mark(ref);
            });
        }
        if (now != null) {
            index(now);
            ServiceObjects.serviceOf(now).ifPresent(this::mark);
        }
    }

    private void index(EndpointSlice slice) {
        ServiceObjects.serviceOf(slice).ifPresent(ref -> slicesByService.computeIfAbsent(ref, r -> new HashMap<>())
                .put(slice.getMetadata().getName(), slice));
    }

    private void mark(ServiceRef ref) {
        changed.add(ref);
        if (synced && !flushPending) {
            flushPending = true;
            calls.schedule(this::flush, batchDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Sends every Service marked since the last flush, each once, as it is now. */
    private void flush() {
        flushPending = false;
        List<ServiceRef> batch = List.copyOf(changed);
        changed.clear();
        for (ServiceRef ref : batch) {
            Optional<Service> service = build(ref);
            try {
                if (service.isPresent()) {
                    proxy.upsert(service.get());
                } else {
                    proxy.remove(ref);
                }
            } catch (RuntimeException e) {
                failed("service " + ref, e);
            }
        }
        LOG.debug("services: {} changed services sent", batch.size());
    }

    /** The Service as the proxy should have it; empty when it is gone or there is nothing to proxy. */
    private Optional<Service> build(ServiceRef ref) {
        Optional<io.fabric8.kubernetes.api.model.Service> service = services.get(ref.namespace() + "/" + ref.name());
        if (service.isEmpty()) {
            return Optional.empty();
        }
        try {
            return ServiceObjects.toService(service.get(), slicesByService.getOrDefault(ref, Map.of()).values());
        } catch (IllegalArgumentException e) {
            LOG.warn("not proxying {}: {}", ref, e.getMessage());
            return Optional.empty();
        }
    }

    /** The SPI's recovery: after a failure the proxy gets the whole current set again, soon. */
    private void failed(String what, RuntimeException e) {
        LOG.warn("services: {} failed ({}); full sync in {} s", what, e.getMessage(), RETRY_DELAY.toSeconds());
        if (!retryPending) {
            retryPending = true;
            calls.schedule(this::fullSync, RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static Duration positive(String what, Duration d) {
        requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
        return d;
    }
}
