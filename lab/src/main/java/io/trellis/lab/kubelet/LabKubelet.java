package io.trellis.lab.kubelet;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.trellis.lab.Shell;
import io.trellis.lab.workload.WorkloadServer;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's kubelet for one node. For every Pod bound to the node it creates the pod's network namespace,
 * calls the CNI plugin (ADD) like a container runtime, starts the built-in workload on the pod's ports and
 * writes status.podIP and phase Running; when the Pod goes away it stops the workload, calls DEL and removes
 * the namespace. Pods are handled one at a time per node; failures are retried every few seconds.
 */
public final class LabKubelet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LabKubelet.class);
    public static final Set<Integer> DEFAULT_PORTS = Set.of(80, 81);
    private static final long RETRY_SECONDS = 3;
    private static final int MAX_DEL_ATTEMPTS = 5;

    private final KubernetesClient client;
    private final String nodeName;
    private final String hostIp;
    private final String labPrefix;
    private final CniInvoker cni;
    private final WorkloadServer workload;
    private final Shell shell;
    private final Syscalls sys;
    private final Path sandboxDir;
    private final ScheduledExecutorService worker;
    private final Map<String, Integer> delAttempts = new ConcurrentHashMap<>();
    private SharedIndexInformer<Pod> informer;

    public LabKubelet(KubernetesClient client, String nodeName, String hostIp, String labPrefix, CniInvoker cni,
                      WorkloadServer workload, Shell shell, Syscalls sys, Path sandboxDir) {
        this.client = Objects.requireNonNull(client, "client");
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.hostIp = Objects.requireNonNull(hostIp, "hostIp");
        this.labPrefix = Objects.requireNonNull(labPrefix, "labPrefix");
        this.cni = Objects.requireNonNull(cni, "cni");
        this.workload = Objects.requireNonNull(workload, "workload");
        this.shell = Objects.requireNonNull(shell, "shell");
        this.sys = Objects.requireNonNull(sys, "sys");
        this.sandboxDir = Objects.requireNonNull(sandboxDir, "sandboxDir");
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kubelet-" + nodeName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts watching the node's Pods; returns once the first list is in. */
    public void start() {
        informer = client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).inform(
                new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        enqueue(Cache.metaNamespaceKeyFunc(pod));
                    }

                    @Override
                    public void onUpdate(Pod oldPod, Pod newPod) {
                        enqueue(Cache.metaNamespaceKeyFunc(newPod));
                    }

                    @Override
                    public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                        enqueue(Cache.metaNamespaceKeyFunc(pod));
                    }
                }, 0);
        // Sandboxes recorded by an earlier run whose Pod is gone are torn down too.
        for (PodSandbox sandbox : PodSandbox.all(sandboxDir)) {
            if (sandbox.node().equals(nodeName)) {
                enqueue(sandbox.key());
            }
        }
        LOG.info("kubelet for node {} started", nodeName);
    }

    private void enqueue(String key) {
        worker.execute(() -> sync(key));
    }

    private void sync(String key) {
        String namespace = key.substring(0, key.indexOf('/'));
        String name = key.substring(key.indexOf('/') + 1);
        Pod pod = informer.getIndexer().getByKey(key);
        Optional<PodSandbox> sandbox = PodSandbox.load(sandboxDir, namespace, name);
        try {
            Optional<Instant> graceEnds = pod == null ? Optional.empty() : graceEnds(pod);
            boolean wanted = pod != null && nodeName.equals(pod.getSpec().getNodeName())
                    && (pod.getMetadata().getDeletionTimestamp() == null
                        || graceEnds.isPresent() && Instant.now().isBefore(graceEnds.get()));
            if (wanted && graceEnds.isPresent()) {
                // Terminating: the workload keeps serving (its Ready condition stays) until the grace period ends.
                long delay = Math.max(0, graceEnds.get().toEpochMilli() - System.currentTimeMillis()) + 100;
                worker.schedule(() -> sync(key), delay, TimeUnit.MILLISECONDS);
            }
            if (sandbox.isPresent() && (!wanted || !sandbox.get().uid().equals(pod.getMetadata().getUid()))) {
                tearDown(sandbox.get());
                sandbox = Optional.empty();
            }
            if (!wanted) {
                return;
            }
            if (sandbox.isEmpty() && graceEnds.isPresent()) {
                return; // deleted before it ran: nothing to keep serving
            }
            if (sandbox.isEmpty()) {
                sandbox = Optional.of(setUp(pod));
            } else if (!workload.isServing(key)) {
                // Set up by an earlier run of the lab daemon: the namespace and address are there, the sockets not.
                try (NetNamespace handle = NetNamespace.named(sys, sandbox.get().netns())) {
                    workload.serve(key, handle, ports(pod));
                }
            }
            if (!sandbox.get().podIp().equals(pod.getStatus() == null ? null : pod.getStatus().getPodIP())
                    || !"Running".equals(pod.getStatus().getPhase())) {
                writeRunningStatus(pod, sandbox.get());
            }
        } catch (RuntimeException e) {
            LOG.warn("pod {}: {} (retrying in {} s)", key, e.getMessage(), RETRY_SECONDS);
            if (pod != null && sandbox.isEmpty()) {
                writePendingStatus(pod, e.getMessage());
            }
            worker.schedule(() -> sync(key), RETRY_SECONDS, TimeUnit.SECONDS);
        }
    }

    /**
     * When a terminating Pod's containers would be stopped: its deletionTimestamp plus the grace period
     * (metadata.deletionGracePeriodSeconds, else spec.terminationGracePeriodSeconds, else 30 s, as a real
     * kubelet). The API stand-in removes a Pod without finalizers at once, so only Pods held by a finalizer are
     * ever seen terminating: they keep serving for their grace period, as on a real cluster, then stop. Empty
     * when the Pod is not terminating or its deletionTimestamp does not parse (then it stops at once).
     */
    static Optional<Instant> graceEnds(Pod pod) {
        String deletion = pod.getMetadata().getDeletionTimestamp();
        if (deletion == null) {
            return Optional.empty();
        }
        Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
        if (grace == null && pod.getSpec() != null) {
            grace = pod.getSpec().getTerminationGracePeriodSeconds();
        }
        try {
            return Optional.of(Instant.parse(deletion).plusSeconds(grace == null ? 30 : grace));
        } catch (java.time.format.DateTimeParseException e) {
            LOG.warn("pod {}/{}: metadata.deletionTimestamp '{}' is not a timestamp; stopping it now",
                    pod.getMetadata().getNamespace(), pod.getMetadata().getName(), deletion);
            return Optional.empty();
        }
    }

    private PodSandbox setUp(Pod pod) {
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        String uid = pod.getMetadata().getUid() == null ? "none" : pod.getMetadata().getUid();
        String netns = PodNames.netns(labPrefix, namespace, name);
        String containerId = "lab" + uid.replace("-", "");
        if (shell.namespaces().contains(netns)) {
            // Left by a crash between ADD and recording the sandbox: let the agent forget it first.
            tryDel(containerId, "/var/run/netns/" + netns, namespace, name, uid);
            shell.check("ip", "netns", "del", netns);
        }
        shell.check("ip", "netns", "add", netns);
        shell.check("ip", "-n", netns, "link", "set", "lo", "up");
        String ip;
        try {
            ip = cni.add(containerId, "/var/run/netns/" + netns, namespace, name, uid);
        } catch (RuntimeException e) {
            tryDel(containerId, "/var/run/netns/" + netns, namespace, name, uid);
            shell.run("ip", "netns", "del", netns);
            throw e;
        }
        PodSandbox sandbox = new PodSandbox(namespace, name, uid, containerId, netns, nodeName, ip);
        sandbox.save(sandboxDir);
        try (NetNamespace handle = NetNamespace.named(sys, netns)) {
            workload.serve(sandbox.key(), handle, ports(pod));
        }
        LOG.info("pod {}: network namespace {}, IP {}", sandbox.key(), netns, ip);
        return sandbox;
    }

    private void tearDown(PodSandbox sandbox) {
        workload.stop(sandbox.key());
        int attempt = delAttempts.merge(sandbox.key(), 1, Integer::sum);
        try {
            cni.del(sandbox.containerId(), sandbox.netnsPath(), sandbox.namespace(), sandbox.name(), sandbox.uid());
        } catch (RuntimeException e) {
            if (attempt < MAX_DEL_ATTEMPTS) {
                throw e;
            }
            LOG.error("pod {}: giving up on CNI DEL after {} attempts: {}", sandbox.key(), attempt, e.getMessage());
        }
        delAttempts.remove(sandbox.key());
        if (shell.namespaces().contains(sandbox.netns())) {
            shell.check("ip", "netns", "del", sandbox.netns());
        }
        sandbox.remove(sandboxDir);
        LOG.info("pod {}: removed (network namespace {} deleted)", sandbox.key(), sandbox.netns());
    }

    private void tryDel(String containerId, String netnsPath, String namespace, String name, String uid) {
        try {
            cni.del(containerId, netnsPath, namespace, name, uid);
        } catch (RuntimeException e) {
            LOG.warn("pod {}/{}: CNI DEL during clean-up failed: {}", namespace, name, e.getMessage());
        }
    }

    /** The pod's declared container ports, or 80 and 81 when it declares none. */
    static Set<Integer> ports(Pod pod) {
        Set<Integer> ports = new TreeSet<>();
        if (pod.getSpec() != null && pod.getSpec().getContainers() != null) {
            pod.getSpec().getContainers().forEach(c -> {
                if (c.getPorts() != null) {
                    c.getPorts().stream().map(ContainerPort::getContainerPort).filter(Objects::nonNull).forEach(ports::add);
                }
            });
        }
        return ports.isEmpty() ? DEFAULT_PORTS : ports;
    }

    private void writeRunningStatus(Pod pod, PodSandbox sandbox) {
        String now = Instant.now().toString();
        client.pods().inNamespace(sandbox.namespace()).withName(sandbox.name()).editStatus(p -> {
            var status = p.getStatus() == null ? new io.fabric8.kubernetes.api.model.PodStatus() : p.getStatus();
            status.setPhase("Running");
            status.setPodIP(sandbox.podIp());
            status.setPodIPs(List.of(new PodIP(sandbox.podIp())));
            status.setHostIP(hostIp);
            status.setStartTime(status.getStartTime() == null ? now : status.getStartTime());
            status.setMessage(null);
            status.setReason(null);
            status.setConditions(List.of(condition("PodScheduled", now), condition("Initialized", now),
                    condition("ContainersReady", now), condition("Ready", now)));
            p.setStatus(status);
            return p;
        });
    }

    private void writePendingStatus(Pod pod, String message) {
        if (pod.getStatus() != null && message.equals(pod.getStatus().getMessage())) {
            return;   // already says so; writing again would only trigger another sync
        }
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .editStatus(p -> {
                        var status = p.getStatus() == null ? new io.fabric8.kubernetes.api.model.PodStatus()
                                : p.getStatus();
                        status.setPhase("Pending");
                        status.setReason("SandboxSetupFailed");
                        status.setMessage(message);
                        p.setStatus(status);
                        return p;
                    });
        } catch (RuntimeException e) {
            LOG.debug("pod {}: cannot write status: {}", pod.getMetadata().getName(), e.getMessage());
        }
    }

    private static PodCondition condition(String type, String now) {
        return new PodConditionBuilder().withType(type).withStatus("True").withLastTransitionTime(now).build();
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        worker.shutdownNow();
    }
}
