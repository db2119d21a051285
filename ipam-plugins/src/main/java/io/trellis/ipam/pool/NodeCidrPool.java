package io.trellis.ipam.pool;

import static java.util.Objects.requireNonNull;

import io.trellis.ipam.cidr.Cidr;
import io.trellis.ipam.cidr.IpFamily;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Carves a cluster CIDR into equal node pod CIDRs ({@code 10.244.0.0/16} into {@code /24}s), one per node: the
 * cluster-wide half of IPAM that a controller runs, keeping no state of its own: after a restart it is rebuilt from
 * the Node objects with {@link #markAllocated}. A new node gets the lowest free subnet, so a released subnet is
 * reused once every lower one is taken. Thread-safe.
 */
public final class NodeCidrPool {
    private final Cidr clusterCidr;
    private final int nodePrefixLength;
    private final BigInteger subnetCount;
    private final BigInteger subnetSize;
    private final Map<String, BigInteger> indexByNode = new LinkedHashMap<>();
    private final NavigableMap<BigInteger, String> nodeByIndex = new TreeMap<>();

    /**
     * @throws IllegalArgumentException when the node prefix is not longer than or equal to the cluster prefix, or
     *     leaves no room for pods (IPv4 longer than /30, IPv6 longer than /126)
     */
    public NodeCidrPool(Cidr clusterCidr, int nodePrefixLength) {
        this.clusterCidr = requireNonNull(clusterCidr, "clusterCidr");
        int maxPrefix = clusterCidr.family() == IpFamily.IPV4 ? 30 : 126;
        if (nodePrefixLength < clusterCidr.prefixLength() || nodePrefixLength > maxPrefix) {
            throw new IllegalArgumentException("node CIDR prefix length for cluster CIDR " + clusterCidr + " must be "
                    + clusterCidr.prefixLength() + ".." + maxPrefix + ", got " + nodePrefixLength);
        }
        this.nodePrefixLength = nodePrefixLength;
        this.subnetCount = BigInteger.ONE.shiftLeft(nodePrefixLength - clusterCidr.prefixLength());
        this.subnetSize = BigInteger.ONE.shiftLeft(clusterCidr.family().bits() - nodePrefixLength);
    }

    public Cidr clusterCidr() {
        return clusterCidr;
    }

    public int nodePrefixLength() {
        return nodePrefixLength;
    }

    /** How many node CIDRs the cluster CIDR holds. */
    public BigInteger capacity() {
        return subnetCount;
    }

    /**
     * The node's CIDR: the one it already has, or the lowest free one.
     *
     * @throws PoolExhaustedException naming the cluster CIDR and how many node CIDRs are in use
     */
    public synchronized Cidr allocate(String nodeName) {
        requireNonNull(nodeName, "nodeName");
        BigInteger existing = indexByNode.get(nodeName);
        if (existing != null) {
            return subnetAt(existing);
        }
        BigInteger index = BigInteger.ZERO;
        for (BigInteger used : nodeByIndex.keySet()) {
            if (!used.equals(index)) {
                break;
            }
            index = index.add(BigInteger.ONE);
        }
        if (index.compareTo(subnetCount) >= 0) {
            throw new PoolExhaustedException("cluster CIDR " + clusterCidr + " is exhausted: all " + subnetCount + " node CIDRs of /"
                    + nodePrefixLength + " are in use; node " + nodeName + " gets none");
        }
        put(nodeName, index);
        return subnetAt(index);
    }

    /**
     * Records a CIDR a node already holds (read from its Node object when the controller starts).
     *
     * @throws IllegalArgumentException when the CIDR is not one of this pool's node CIDRs, or another node holds it,
     *     or the node holds another one
     */
    public synchronized void markAllocated(String nodeName, Cidr cidr) {
        requireNonNull(nodeName, "nodeName");
        requireNonNull(cidr, "cidr");
        if (cidr.prefixLength() != nodePrefixLength || !clusterCidr.contains(cidr.network())) {
            throw new IllegalArgumentException("node " + nodeName + " has pod CIDR " + cidr + ", which is not a /" + nodePrefixLength
                    + " of cluster CIDR " + clusterCidr);
        }
        BigInteger index = clusterCidr.offsetOf(cidr.network()).divide(subnetSize);
        String holder = nodeByIndex.get(index);
        if (holder != null && !holder.equals(nodeName)) {
            throw new IllegalArgumentException("pod CIDR " + cidr + " of node " + nodeName + " is already held by node " + holder);
        }
        BigInteger own = indexByNode.get(nodeName);
        if (own != null && !own.equals(index)) {
            throw new IllegalArgumentException("node " + nodeName + " already holds pod CIDR " + subnetAt(own) + ", not " + cidr);
        }
        put(nodeName, index);
    }

    public synchronized Optional<Cidr> get(String nodeName) {
        return Optional.ofNullable(indexByNode.get(nodeName)).map(this::subnetAt);
    }

    /** Frees the node's CIDR (the node was deleted); unknown nodes are ignored. */
    public synchronized void release(String nodeName) {
        BigInteger index = indexByNode.remove(nodeName);
        if (index != null) {
            nodeByIndex.remove(index);
        }
    }

    /** Node name to CIDR, in allocation order. */
    public synchronized Map<String, Cidr> allocations() {
        Map<String, Cidr> out = new LinkedHashMap<>();
        indexByNode.forEach((node, index) -> out.put(node, subnetAt(index)));
        return out;
    }

    private void put(String nodeName, BigInteger index) {
        indexByNode.put(nodeName, index);
        nodeByIndex.put(index, nodeName);
    }

    private Cidr subnetAt(BigInteger index) {
        return new Cidr(clusterCidr.addressAt(index.multiply(subnetSize)), nodePrefixLength);
    }
}
