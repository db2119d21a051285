package io.trellis.controller.nodeipam;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.trellis.ipam.cidr.Cidr;
import io.trellis.ipam.pool.NodeCidrPool;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node pod CIDR allocation while this replica leads: lists the Nodes once to rebuild the pool from the CIDRs they
 * hold (so the informer's initial adds, which come in no particular order, cannot take a held CIDR), then watches
 * Nodes with a SharedIndexInformer, allocating for new ones and releasing deleted ones' CIDRs; a release retries the
 * Nodes still waiting for a CIDR. The informer delivers events on one thread, which serialises the allocator.
 */
public final class NodeIpamController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeIpamController.class);
    /**
     * How often every cached Node is handed to the allocator again (from the informer's cache, no API call): retries
     * a Node whose patch failed, which gets no event of its own until it changes.
     */
    static final Duration RESYNC = Duration.ofMinutes(1);

    private final SharedIndexInformer<Node> informer;
    private final NodeCidrAllocator allocator;

    private NodeIpamController(SharedIndexInformer<Node> informer, NodeCidrAllocator allocator) {
        this.informer = informer;
        this.allocator = allocator;
    }

    /** Node name to pod CIDR, as allocated or found. */
    public Map<String, Cidr> allocations() {
        return allocator.allocations();
    }

    /**
     * Rebuilds the allocations and starts watching; returns once the informer has synced.
     *
     * @param poolFactory a fresh, empty pool (leadership may be gained more than once)
     */
    public static NodeIpamController start(KubernetesClient client, Supplier<NodeCidrPool> poolFactory,
                                           AllocationFailureReporter reporter) {
        requireNonNull(client, "client");
        NodeCidrAllocator allocator = new NodeCidrAllocator(client, poolFactory.get(), reporter);
        allocator.rebuild(client.nodes().list().getItems());
        SharedIndexInformer<Node> informer = client.nodes().runnableInformer(RESYNC.toMillis());
        informer.addEventHandler(new Handler(allocator, informer));
        try {
            informer.run();
        } catch (RuntimeException e) {
            informer.close();
            throw e;
        }
        LOG.info("watching Nodes to allocate pod CIDRs");
        return new NodeIpamController(informer, allocator);
    }

    @Override
    public void close() {
        informer.close();
    }

    private record Handler(NodeCidrAllocator allocator, SharedIndexInformer<Node> informer)
            implements ResourceEventHandler<Node> {
        @Override
        public void onAdd(Node node) {
            allocator.reconcile(node);
        }

        @Override
        public void onUpdate(Node oldNode, Node node) {
            allocator.reconcile(node);
        }

        @Override
        public void onDelete(Node node, boolean finalStateUnknown) {
            allocator.release(node.getMetadata().getName());
            if (allocator.hasWaitingNodes()) {
                informer.getStore().list().forEach(allocator::reconcile);
            }
        }
    }
}
