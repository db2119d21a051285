package io.trellis.ovs.backend;

import io.trellis.spi.node.NodeInfo;

/**
 * Makes the node's IP usable as the source of encapsulated packets, before the first tunnel flow
 * is installed and again after ovs-vswitchd restarts. Idempotent.
 */
@FunctionalInterface
public interface TunnelUnderlay {

    /** The kernel datapath: the kernel routes encapsulated packets like any other; nothing to do. */
    TunnelUnderlay KERNEL = local -> { };

    void prepare(NodeInfo local);
}
