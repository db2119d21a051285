package io.trellis.iptables.service;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.IpPrefix;

/**
 * The node facts the rules depend on.
 *
 * @param nodeName the node the proxy runs on: endpoints whose {@code nodeName} is this are local
 * @param podCidr  this node's IPv4 pod CIDR: sources inside it are local pods (kube-proxy's
 *                 "NodeCIDR" local detection); traffic to a cluster IP from anywhere else is masqueraded
 * @param settings the proxy's settings (the masquerade mark)
 */
record ProxyNode(String nodeName, IpPrefix podCidr, ProxySettings settings) {
    ProxyNode {
        requireNonNull(nodeName, "nodeName");
        requireNonNull(podCidr, "podCidr");
        requireNonNull(settings, "settings");
        if (!podCidr.isIpv4()) {
            throw new IllegalArgumentException("podCidr must be IPv4 (the proxy programs iptables, not ip6tables), got "
                    + podCidr);
        }
    }
}
