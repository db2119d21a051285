package io.trellis.controller.networkpolicy;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.trellis.controlplane.policy.PolicyObjectSink;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.policy.PolicyRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches Namespaces, Pods and {@code networking.k8s.io/v1} NetworkPolicies with fabric8
 * SharedIndexInformers and feeds a {@link PolicyComputation} on one thread, in event order. Runs on
 * every controller replica (it writes nothing to the API): every replica computes the same objects.
 *
 * <p>Agents must never see a partial model (a policy without the pods it selects would isolate
 * nothing, or allow nothing), so nothing is published until all three informers have synced and
 * every object of their initial lists has reached the computation; then the full set goes out.
 */
public final class NetworkPolicyController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkPolicyController.class);

    private final KubernetesClient client;
    private final PolicyComputation computation;
    private final NetworkPolicyParser parser = new NetworkPolicyParser();
    private final ClusterObjects objects = new ClusterObjects();
    private final ExecutorService executor;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    // Only touched on the executor thread.
    private final Set<String> seenBeforePublishing = new HashSet<>();
    private Set<String> awaitedBeforePublishing;
    private boolean publishing;
    private volatile boolean synced;

    public NetworkPolicyController(KubernetesClient client, PolicyObjectSink sink) {
        this.client = requireNonNull(client, "client");
        this.computation = new PolicyComputation(requireNonNull(sink, "sink"));
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "network-policy-computation");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts the informers and returns; publishing starts once they have synced. */
    public void start() {
        SharedIndexInformer<Namespace> namespaces = client.namespaces().runnableInformer(0);
        namespaces.addEventHandler(new Handler<>("Namespace",
                ns -> computation.upsertNamespace(objects.namespace(ns)),
                ns -> computation.deleteNamespace(ns.getMetadata().getName())));
        SharedIndexInformer<Pod> pods = client.pods().inAnyNamespace().runnableInformer(0);
        pods.addEventHandler(new Handler<>("Pod", pod -> computation.upsertPod(objects.pod(pod)),
                pod -> computation.deletePod(new PodRef(pod.getMetadata().getNamespace(), pod.getMetadata().getName()))));
        SharedIndexInformer<NetworkPolicy> policies = client.network().v1().networkPolicies().inAnyNamespace()
                .runnableInformer(0);
        policies.addEventHandler(new Handler<>("NetworkPolicy", this::applyPolicy,
                policy -> computation.deletePolicy(policyRef(policy))));
        informers.add(namespaces);
        informers.add(pods);
        informers.add(policies);
        CompletableFuture<?>[] started = informers.stream()
                .map(informer -> informer.start().toCompletableFuture()).toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(started).whenComplete((ignored, error) -> {
            if (error != null) {
                LOG.error("NetworkPolicy computation: the Namespace, Pod and NetworkPolicy informers did not start;"
                        + " nothing is published", error);
                return;
            }
            Set<String> listed = new HashSet<>();
            namespaces.getStore().list().forEach(o -> listed.add(key("Namespace", o)));
            pods.getStore().list().forEach(o -> listed.add(key("Pod", o)));
            policies.getStore().list().forEach(o -> listed.add(key("NetworkPolicy", o)));
            submit("informers synced", () -> {
                listed.removeAll(seenBeforePublishing);
                awaitedBeforePublishing = listed;
                startPublishingWhenComplete();
            });
        });
        LOG.info("NetworkPolicy computation: watching Namespaces, Pods and NetworkPolicies");
    }

    /** Whether the initial lists were all computed and published (publishing continues from then on). */
    public boolean synced() {
        return synced;
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void applyPolicy(NetworkPolicy policy) {
        try {
            computation.upsertPolicy(parser.parse(policy));
        } catch (InvalidNetworkPolicyException | IllegalArgumentException e) {
            // Left out, and any earlier valid version withdrawn: enforcing a stale version would be worse.
            LOG.error("{}; it is not enforced", e.getMessage());
            computation.deletePolicy(policyRef(policy));
        }
    }

    private static PolicyRef policyRef(NetworkPolicy policy) {
        return new PolicyRef(policy.getMetadata().getNamespace(), policy.getMetadata().getName());
    }

    private void seen(String key) {
        if (publishing) {
            return;
        }
        seenBeforePublishing.add(key);
        if (awaitedBeforePublishing != null) {
            awaitedBeforePublishing.remove(key);
            startPublishingWhenComplete();
        }
    }

    private void startPublishingWhenComplete() {
        if (!publishing && awaitedBeforePublishing.isEmpty()) {
            publishing = true;
            seenBeforePublishing.clear();
            computation.startPublishing();
            synced = true;
            LOG.info("NetworkPolicy computation synced; publishing");
        }
    }

    private void submit(String what, Runnable task) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("NetworkPolicy computation failed on {}", what, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("NetworkPolicy computation closed; dropping {}", what);
        }
    }

    private static String key(String kind, HasMetadata object) {
        return kind + "/" + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }

    /** Hands each informer event to the computation thread, in the order the informer delivers them. */
    private final class Handler<T extends HasMetadata> implements ResourceEventHandler<T> {
        private final String kind;
        private final Consumer<T> upsert;
        private final Consumer<T> delete;

        Handler(String kind, Consumer<T> upsert, Consumer<T> delete) {
            this.kind = kind;
            this.upsert = upsert;
            this.delete = delete;
        }

        @Override
        public void onAdd(T object) {
            String key = key(kind, object);
            submit(kind + " add " + key, () -> {
                try {
                    upsert.accept(object);
                } finally {
                    seen(key); // also when the object could not be used: it was delivered
                }
            });
        }

        @Override
        public void onUpdate(T oldObject, T object) {
            String key = key(kind, object);
            submit(kind + " update " + key, () -> {
                try {
                    upsert.accept(object);
                } finally {
                    seen(key); // also when the object could not be used: it was delivered
                }
            });
        }

        @Override
        public void onDelete(T object, boolean deletedFinalStateUnknown) {
            String key = key(kind, object);
            submit(kind + " delete " + key, () -> {
                try {
                    delete.accept(object);
                } finally {
                    seen(key); // also when the object could not be used: it was delivered
                }
            });
        }
    }
}
