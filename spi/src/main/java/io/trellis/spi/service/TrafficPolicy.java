package io.trellis.spi.service;

/**
 * {@code spec.externalTrafficPolicy} / {@code spec.internalTrafficPolicy}: which endpoints a
 * node sends the connections it load-balances to.
 */
public enum TrafficPolicy {
    /**
     * Every used endpoint, on any node (the API's default). For traffic from outside the cluster
     * (node ports, external and load-balancer IPs) the node SNATs the client, so replies from an
     * endpoint on another node come back through it.
     */
    CLUSTER,
    /**
     * Only endpoints on this node (their {@link ServiceEndpoint#nodeName()}); without one the
     * connection is not load-balanced (kube-proxy drops it). Traffic from outside keeps its client
     * source IP: no SNAT.
     */
    LOCAL
}
