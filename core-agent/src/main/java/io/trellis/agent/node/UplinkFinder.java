package io.trellis.agent.node;

import java.net.InetAddress;
import java.util.List;

/** Finds the node's uplink: the interface that holds one of the node's internal IPs. */
@FunctionalInterface
public interface UplinkFinder {
    /** Throws {@link IllegalStateException} saying what was looked for when there is none. */
    Uplink find(List<InetAddress> nodeIps);
}
