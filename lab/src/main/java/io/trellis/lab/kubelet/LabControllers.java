package io.trellis.lab.kubelet;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control-plane roles the API stand-in does not play and the lab needs: a scheduler that binds each Pod
 * without spec.nodeName to a lab node (round-robin), and the namespace controller's cascade (deleting a
 * Namespace deletes its Pods).
 */
public final class LabControllers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LabControllers.class);

    private final KubernetesClient client;
    private final List<String> nodeNames;
    private final AtomicInteger next = new AtomicInteger();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lab-controllers");
        t.setDaemon(true);
        return t;
    });
    private SharedIndexInformer<Pod> pods;
    private SharedIndexInformer<Namespace> namespaces;

    public LabControllers(KubernetesClient client, List<String> nodeNames) {
        this.client = Objects.requireNonNull(client, "client");
        this.nodeNames = List.copyOf(nodeNames);
        if (this.nodeNames.isEmpty()) {
            throw new IllegalArgumentException("a lab needs at least one node");
        }
    }

    public void start() {
        pods = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                worker.execute(() -> schedule(pod));
            }

            @Override
            public void onUpdate(Pod oldPod, Pod newPod) {
                worker.execute(() -> schedule(newPod));
            }

            @Override
            public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
            }
        }, 0);
        namespaces = client.namespaces().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace ns) {
            }

            @Override
            public void onUpdate(Namespace oldNs, Namespace newNs) {
                if (newNs.getMetadata().getDeletionTimestamp() != null) {
                    worker.execute(() -> deletePodsIn(newNs.getMetadata().getName()));
                }
            }

            @Override
            public void onDelete(Namespace ns, boolean deletedFinalStateUnknown) {
                worker.execute(() -> deletePodsIn(ns.getMetadata().getName()));
            }
        }, 0);
    }

    private void schedule(Pod pod) {
        String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (nodeName != null && !nodeName.isEmpty() || pod.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        String node = nodeNames.get(Math.floorMod(next.getAndIncrement(), nodeNames.size()));
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .edit(p -> {
                        p.getSpec().setNodeName(node);
                        return p;
                    });
            LOG.info("pod {}/{} bound to {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), node);
        } catch (RuntimeException e) {
            LOG.warn("cannot bind pod {}/{}: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    e.getMessage());
        }
    }

    private void deletePodsIn(String namespace) {
        List<Pod> inNamespace = client.pods().inNamespace(namespace).list().getItems();
        if (!inNamespace.isEmpty()) {
            LOG.info("namespace {} deleted: deleting its {} pod(s)", namespace, inNamespace.size());
            client.pods().inNamespace(namespace).delete();
        }
    }

    @Override
    public void close() {
        if (pods != null) {
            pods.close();
        }
        if (namespaces != null) {
            namespaces.close();
        }
        worker.shutdownNow();
    }
}
