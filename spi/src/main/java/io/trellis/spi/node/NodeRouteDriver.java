package io.trellis.spi.node;

import java.util.Collection;

/**
 * Makes the pod CIDRs of other nodes reachable from this node's pods, by an overlay (tunnels to
 * each node's IP) or by routing (routes via each node's IP, installed directly or learned over a
 * routing protocol), and makes this node's pod CIDR reachable from the others where the method
 * needs it (BGP announcements).
 *
 * <p>Threading: the agent calls the driver from one thread at a time, in the order Node events
 * happened.
 *
 * <p>Errors: methods throw {@link NodeRouteException}. After a failure the agent calls
 * {@link #replaceAll} again later with the whole current set, so a driver recovers from any
 * partial state by converging to the last snapshot.
 *
 * <p>Idempotence: every method states the desired end state; repeating a call changes nothing.
 */
public interface NodeRouteDriver {

    /**
     * The bytes this driver's encapsulation adds to every packet between nodes: 0 for routing,
     * {@link io.trellis.spi.model.TunnelType#ipv4Overhead()} for a tunnel over IPv4. With
     * {@code network.mtu: auto} the agent subtracts it from the uplink MTU to get the pod MTU.
     */
    int encapsulationOverhead();

    /**
     * This node: its internal IPs (tunnel source, router id) and pod CIDRs. Called once before any
     * other method and again when they change.
     */
    void localNode(NodeInfo local);

    /**
     * The complete set of other nodes (at start and after the agent lost contact with the API
     * server): install what is missing, update what changed, remove nodes not in {@code remotes}.
     */
    void replaceAll(Collection<NodeInfo> remotes);

    /** One other node was added or changed (new IP, pod CIDR assigned). */
    void upsertNode(NodeInfo remote);

    /** One other node was deleted; removing an unknown node is not an error. */
    void removeNode(String nodeName);
}
