package io.trellis.agent.k8s;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.trellis.spi.node.NodeInfo;
import io.trellis.spi.node.NodeRouteDriver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link NodeRouteDriver} in step with the cluster's Nodes, through a fabric8 informer on
 * Nodes: a full sync ({@code localNode} for this node, {@code replaceAll} with every other node)
 * once the informer has listed them, every {@code resync} period and soon after any failed call;
 * in between, {@code upsertNode} / {@code removeNode} per event.
 *
 * <p>Every driver call runs on one thread of this class, in the order the events came, as the SPI
 * promises. A Node with a malformed field (logged, naming it) or without an InternalIP is treated
 * as having nothing to route to.
 *
 * <p>API server outages: while it is unreachable the informer keeps the Nodes it last saw, so the
 * periodic full syncs give the driver the same set and the data plane stays as it is; once the
 * server answers again the Nodes are listed afresh ({@link RelistingInformer}) and a full sync
 * applies whatever changed meanwhile, deletions included.
 */
public final class NodeRouteSync implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeRouteSync.class);

    /** Delay before a full sync after a driver call failed. */
    static final Duration RETRY_DELAY = Duration.ofSeconds(2);
    /** How often the Node watch is checked (an outage is noticed after two checks without one). */
    static final Duration WATCH_CHECK = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final String localName;
    private final NodeRouteDriver driver;
    private final Duration resync;
    private final ScheduledExecutorService calls;
    private RelistingInformer<Node> informer;
    /** A full sync is scheduled; only read and written on the calls thread. */
    private boolean retryPending;

    /**
     * @param localName this node's name: its Node goes to {@code localNode}, never to the remote calls
     * @param resync    how often the driver gets the complete set again
     */
    public NodeRouteSync(KubernetesClient client, String localName, NodeRouteDriver driver, Duration resync) {
        this.client = requireNonNull(client, "client");
        this.localName = requireNonNull(localName, "localName");
        this.driver = requireNonNull(driver, "driver");
        this.resync = requireNonNull(resync, "resync");
        if (resync.isNegative() || resync.isZero()) {
            throw new IllegalArgumentException("node resync period must be positive, got " + resync);
        }
        this.calls = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trellis-node-routes");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the informer, waits up to {@code timeout} for its first list and makes the first full
     * sync; a failed first sync is logged and retried like any other.
     *
     * @throws IllegalStateException when the Nodes could not be listed in time
     */
    public void start(Duration timeout) throws InterruptedException {
        ResourceEventHandler<Node> events = new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                calls.execute(() -> upsert(node));
            }

            @Override
            public void onUpdate(Node oldNode, Node newNode) {
                calls.execute(() -> upsert(newNode));
            }

            @Override
            public void onDelete(Node node, boolean deletedFinalStateUnknown) {
                calls.execute(() -> remove(node.getMetadata().getName()));
            }
        };
        // No informer resync: the full syncs below give the driver the whole set instead of one update per node.
        informer = new RelistingInformer<>("Nodes", () -> client.nodes().runnableInformer(0), events, this::fullSync,
                calls, WATCH_CHECK);
        try {
            informer.start().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("listing the Nodes for the node routes failed: "
                    + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
        }
        try {
            calls.submit(this::fullSync).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("first node route sync failed: " + e.getCause().getMessage(), e);
        }
        long period = resync.toMillis();
        calls.scheduleWithFixedDelay(this::fullSync, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        calls.shutdownNow();
    }

    // ------------------------------------------------------------------ driver calls (calls thread)

    /** {@code localNode} with this node as the informer has it, then {@code replaceAll} with all the others. */
    void fullSync() {
        retryPending = false;
        List<NodeInfo> remotes = new ArrayList<>();
        Optional<NodeInfo> local = Optional.empty();
        for (Node node : informer.list()) {
            Optional<NodeInfo> info = toNodeInfo(node);
            if (node.getMetadata().getName().equals(localName)) {
                local = info;
            } else {
                info.ifPresent(remotes::add);
            }
        }
        try {
            local.ifPresent(driver::localNode);
            driver.replaceAll(remotes);
            LOG.debug("node routes: full sync with {} other nodes", remotes.size());
        } catch (RuntimeException e) {
            failed("full sync", e);
        }
    }

    private void upsert(Node node) {
        String name = node.getMetadata().getName();
        Optional<NodeInfo> info = toNodeInfo(node);
        try {
            if (name.equals(localName)) {
                info.ifPresent(driver::localNode);
            } else if (info.isPresent()) {
                driver.upsertNode(info.get());
            } else {
                driver.removeNode(name);
            }
        } catch (RuntimeException e) {
            failed("node " + name, e);
        }
    }

    private void remove(String name) {
        if (name.equals(localName)) {
            return; // this node's own routes stay while the agent runs
        }
        try {
            driver.removeNode(name);
        } catch (RuntimeException e) {
            failed("removing node " + name, e);
        }
    }

    /** The SPI's recovery: after a failure the driver gets the whole current set again, soon. */
    private void failed(String what, RuntimeException e) {
        LOG.warn("node routes: {} failed ({}); full sync in {} s", what, e.getMessage(), RETRY_DELAY.toSeconds());
        if (!retryPending) {
            retryPending = true;
            calls.schedule(this::fullSync, RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The Node as the SPI sees it; empty when it has no InternalIP or a malformed field (logged). */
    static Optional<NodeInfo> toNodeInfo(Node node) {
        try {
            ObservedNode observed = NodeObjects.observe(node);
            if (observed.internalIps().isEmpty()) {
                LOG.debug("Node {} has no InternalIP yet: nothing to route to", observed.name());
                return Optional.empty();
            }
            return Optional.of(new NodeInfo(observed.name(), observed.internalIps(), observed.podCidrs()));
        } catch (NodeUnavailableException e) {
            LOG.warn("ignoring Node for node routes: {}", e.getMessage());
            return Optional.empty();
        }
    }
}
