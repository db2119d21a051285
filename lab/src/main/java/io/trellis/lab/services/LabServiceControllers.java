package io.trellis.lab.services;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's Service machinery, which the API stand-in lacks: the API server's cluster IP and node
 * port allocation ({@link ServiceAllocations}) and the EndpointSlice controller ({@link EndpointSlices}).
 * Informers on Services, Pods and the lab's own EndpointSlices mark Services changed (a Pod event marks every
 * Service of its namespace); one thread brings each marked Service up to date: writes the values it lacks,
 * then creates, updates or deletes its slices. Failed writes are retried after {@link #RETRY_SECONDS}.
 */
public final class LabServiceControllers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LabServiceControllers.class);
    static final long RETRY_SECONDS = 2;

    private final KubernetesClient client;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lab-services");
        t.setDaemon(true);
        return t;
    });
    // Only touched on the worker thread:
    private final ServiceAllocations allocations = new ServiceAllocations();
    private final Set<String> dirty = new LinkedHashSet<>();
    private boolean started;
    private boolean drainPending;
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<Pod> pods;
    private SharedIndexInformer<EndpointSlice> slices;

    public LabServiceControllers(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** Starts the informers and, once all three have listed, records every existing allocation before any new one. */
    public void start() throws InterruptedException {
        services = client.services().inAnyNamespace().inform(handler(s -> mark(key(s.getMetadata().getNamespace(),
                s.getMetadata().getName()))), 0);
        pods = client.pods().inAnyNamespace().inform(handler(p -> markNamespace(p.getMetadata().getNamespace())), 0);
        slices = client.discovery().v1().endpointSlices().inAnyNamespace()
                .withLabel(EndpointSlices.MANAGED_BY_LABEL, EndpointSlices.MANAGED_BY)
                .inform(handler(s -> serviceOf(s).ifPresent(this::mark)), 0);
        try {
            worker.submit(() -> {
                List<Service> all = services.getStore().list();
                all.forEach(allocations::observe);
                all.forEach(s -> dirty.add(key(s.getMetadata().getNamespace(), s.getMetadata().getName())));
                slices.getStore().list().forEach(s -> serviceOf(s).ifPresent(dirty::add));
                started = true;
                scheduleDrain();
                LOG.info("service controllers started: {} service(s), {} cluster IP(s) and {} node port(s) in use",
                        all.size(), allocations.clusterIpsInUse(), allocations.nodePortsInUse());
            }).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("starting the service controllers: " + e.getCause(), e.getCause());
        }
    }

    private <T> ResourceEventHandler<T> handler(Consumer<T> onChange) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                worker.execute(() -> onChange.accept(obj));
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                worker.execute(() -> onChange.accept(newObj));
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                worker.execute(() -> onChange.accept(obj));
            }
        };
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    private static Optional<String> serviceOf(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        String name = labels == null ? null : labels.get(EndpointSlices.SERVICE_NAME_LABEL);
        return name == null ? Optional.empty() : Optional.of(key(slice.getMetadata().getNamespace(), name));
    }

    // ------------------------------------------------------------------ worker thread

    private void mark(String serviceKey) {
        dirty.add(serviceKey);
        scheduleDrain();
    }

    private void markNamespace(String namespace) {
        for (Service s : services.getStore().list()) {
            if (namespace.equals(s.getMetadata().getNamespace())) {
                mark(key(namespace, s.getMetadata().getName()));
            }
        }
    }

    private void scheduleDrain() {
        if (started && !drainPending && !dirty.isEmpty()) {
            drainPending = true;
            worker.execute(this::drain);
        }
    }

    /** Syncs every marked Service once (events that arrived meanwhile queue behind this task and are coalesced). */
    private void drain() {
        drainPending = false;
        List<String> batch = new ArrayList<>(dirty);
        dirty.clear();
        for (String key : batch) {
            try {
                sync(key);
            } catch (RuntimeException e) {
                LOG.warn("service {}: {} (retrying in {} s)", key, e.getMessage(), RETRY_SECONDS);
                worker.schedule(() -> mark(key), RETRY_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    private void sync(String key) {
        String namespace = key.substring(0, key.indexOf('/'));
        String name = key.substring(key.indexOf('/') + 1);
        Service service = services.getStore().getByKey(key);
        List<EndpointSlice> existing = slices.getStore().list().stream()
                .filter(s -> serviceOf(s).filter(key::equals).isPresent()).toList();
        if (service == null) {
            allocations.release(key);
            deleteSlices(existing);
            return;
        }
        ServiceAllocations.Assignment assignment = allocations.reconcile(service);
        assignment.conflicts().forEach(c -> LOG.warn("service {}: {}", key, c));
        if (!assignment.changesNothing()) {
            client.services().inNamespace(namespace).withName(name).edit(s -> {
                assignment.clusterIp().ifPresent(ip -> {
                    s.getSpec().setClusterIP(ip);
                    s.getSpec().setClusterIPs(List.of(ip));
                    s.getSpec().setIpFamilies(List.of("IPv4"));
                    s.getSpec().setIpFamilyPolicy("SingleStack");
                });
                assignment.nodePorts().forEach((index, port) -> s.getSpec().getPorts().get(index).setNodePort(port));
                return s;
            });
            LOG.info("service {}: cluster IP {}, node ports {}", key, assignment.clusterIp().orElse("(kept)"),
                    assignment.nodePorts().values());
        }
        List<Pod> inNamespace = pods.getStore().list().stream()
                .filter(p -> namespace.equals(p.getMetadata().getNamespace())).toList();
        Optional<List<EndpointSlice>> desired = EndpointSlices.desired(service, inNamespace);
        if (desired.isEmpty()) {
            deleteSlices(existing);
            return;
        }
        for (EndpointSlice want : desired.get()) {
            Optional<EndpointSlice> have = existing.stream()
                    .filter(s -> s.getMetadata().getName().equals(want.getMetadata().getName())).findFirst();
            var api = client.discovery().v1().endpointSlices().inNamespace(namespace);
            if (have.isEmpty()) {
                api.resource(want).create();
            } else if (!EndpointSlices.sameContent(have.get(), want)) {
                want.getMetadata().setResourceVersion(have.get().getMetadata().getResourceVersion());
                api.resource(want).update();
            } else {
                continue;
            }
            LOG.info("endpointslice {}/{}: {} endpoint(s) {}", namespace, want.getMetadata().getName(),
                    want.getEndpoints().size(), want.getEndpoints().stream().map(e -> e.getAddresses().get(0)
                            + (Boolean.TRUE.equals(e.getConditions().getReady()) ? "" : "(not ready)")).toList());
        }
        Set<String> wanted = new java.util.HashSet<>(desired.get().stream().map(s -> s.getMetadata().getName()).toList());
        deleteSlices(existing.stream().filter(s -> !wanted.contains(s.getMetadata().getName())).toList());
    }

    private void deleteSlices(List<EndpointSlice> toDelete) {
        for (EndpointSlice slice : toDelete) {
            client.discovery().v1().endpointSlices().inNamespace(slice.getMetadata().getNamespace())
                    .withName(slice.getMetadata().getName()).delete();
            LOG.info("endpointslice {}/{} deleted", slice.getMetadata().getNamespace(), slice.getMetadata().getName());
        }
    }

    @Override
    public void close() {
        for (SharedIndexInformer<?> informer : new SharedIndexInformer<?>[] {services, pods, slices}) {
            if (informer != null) {
                informer.close();
            }
        }
        worker.shutdownNow();
    }
}
