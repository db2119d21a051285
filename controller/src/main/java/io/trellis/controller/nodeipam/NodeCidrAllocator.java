package io.trellis.controller.nodeipam;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.trellis.ipam.cidr.Cidr;
import io.trellis.ipam.cidr.IpFamily;
import io.trellis.ipam.pool.NodeCidrPool;
import io.trellis.ipam.pool.PoolExhaustedException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives each Node without one a pod CIDR from the pool and writes it to {@code spec.podCIDR} and
 * {@code spec.podCIDRs}. Keeps no state of its own beyond the pool, which {@link #rebuild} fills from the Nodes that
 * already hold a CIDR before anything is allocated, so a restarted controller never hands a held CIDR out twice.
 * A Node whose CIDR is not one of the pool's is left as it is and reported once. Not thread-safe: the informer
 * delivers events one at a time.
 */
public final class NodeCidrAllocator {
    static final String REASON_EXHAUSTED = "CIDRNotAvailable";
    static final String REASON_FOREIGN = "PodCIDROutsideClusterCIDR";
    private static final Logger LOG = LoggerFactory.getLogger(NodeCidrAllocator.class);

    private final KubernetesClient client;
    private final NodeCidrPool pool;
    private final AllocationFailureReporter reporter;
    /** Nodes that found no free CIDR, reported once; retried when a CIDR is released. */
    private final Set<String> waiting = new HashSet<>();
    /** Nodes holding a CIDR not of this pool, reported once. */
    private final Set<String> foreign = new HashSet<>();

    public NodeCidrAllocator(KubernetesClient client, NodeCidrPool pool, AllocationFailureReporter reporter) {
        this.client = requireNonNull(client, "client");
        this.pool = requireNonNull(pool, "pool");
        this.reporter = requireNonNull(reporter, "reporter");
    }

    /** Records the CIDRs the given Nodes already hold (at start, before any {@link #reconcile}). */
    public void rebuild(Collection<Node> nodes) {
        for (Node node : nodes) {
            if (!NodePodCidrs.of(node).isEmpty()) {
                record(node);
            }
        }
        LOG.info("{} node pod CIDRs of cluster CIDR {} already in use: {}", pool.allocations().size(), pool.clusterCidr(),
                pool.allocations());
    }

    /** Allocates and writes a CIDR when the Node has none; records the one it has otherwise. */
    public void reconcile(Node node) {
        String name = node.getMetadata().getName();
        if (node.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        if (!NodePodCidrs.of(node).isEmpty()) {
            record(node);
            return;
        }
        Cidr cidr;
        try {
            cidr = pool.allocate(name);
        } catch (PoolExhaustedException e) {
            if (waiting.add(name)) {
                reporter.report(name, REASON_EXHAUSTED, e.getMessage());
            }
            return;
        }
        String text = cidr.toString();
        // A JSON merge patch: works when spec is absent; the API server refuses to change a podCIDR once set.
        String patch = "{\"spec\":{\"podCIDR\":\"" + text + "\",\"podCIDRs\":[\"" + text + "\"]}}";
        try {
            client.nodes().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        } catch (KubernetesClientException e) {
            // Deleted meanwhile, or given a CIDR by someone else: free ours; the next event tells the truth.
            pool.release(name);
            LOG.warn("node {}: cannot write pod CIDR {} (HTTP {}): {}", name, text, e.getCode(), e.getMessage());
            return;
        }
        waiting.remove(name);
        LOG.info("node {}: allocated pod CIDR {} from cluster CIDR {}", name, text, pool.clusterCidr());
    }

    /** Frees a deleted Node's CIDR for the next node. */
    public void release(String nodeName) {
        Optional<Cidr> held = pool.get(nodeName);
        pool.release(nodeName);
        waiting.remove(nodeName);
        foreign.remove(nodeName);
        held.ifPresent(cidr -> LOG.info("node {} deleted: pod CIDR {} released", nodeName, cidr));
    }

    /** Node name to pod CIDR, as the pool holds them. */
    public Map<String, Cidr> allocations() {
        return pool.allocations();
    }

    /** Whether a node failed for want of a free CIDR and waits for one to be released. */
    public boolean hasWaitingNodes() {
        return !waiting.isEmpty();
    }

    private void record(Node node) {
        String name = node.getMetadata().getName();
        List<String> cidrs = NodePodCidrs.of(node);
        Optional<String> v4 = cidrs.stream().filter(c -> !c.contains(":")).findFirst();
        if (v4.isEmpty()) {
            reportForeign(name, "pod CIDRs " + cidrs + " hold no IPv4 CIDR");
            return;
        }
        try {
            Cidr cidr = Cidr.parse(v4.get());
            if (cidr.family() != IpFamily.IPV4) {
                reportForeign(name, "pod CIDR " + v4.get() + " is not IPv4");
                return;
            }
            pool.markAllocated(name, cidr);
        } catch (IllegalArgumentException e) {
            reportForeign(name, e.getMessage());
        }
    }

    private void reportForeign(String name, String problem) {
        if (foreign.add(name)) {
            reporter.report(name, REASON_FOREIGN, "pod CIDR left as it is, outside the controller's cluster CIDR "
                    + pool.clusterCidr() + ": " + problem);
        }
    }
}
