package io.trellis.ovs.service;

import java.util.Collection;

/**
 * The node kernel's part of the Services: what {@link ServiceHostRules} computes (node-port DNAT,
 * masquerade, routes of external, load-balancer and cluster IPs into the gateway), made real.
 * {@link OvsServiceProxy} hands it the full set of installed Services once per batch of changes
 * that concern the host (new or removed frontends; endpoint changes do not).
 */
public interface ServiceHostState {

    /** For a proxy without host side (tests of the flows alone, a node without a gateway). */
    ServiceHostState NONE = services -> { };

    /**
     * Makes the node's kernel serve exactly {@code services}: a complete desired state, so
     * calling it again with the same Services changes nothing and state of Services not listed
     * is removed.
     *
     * @throws RuntimeException when the kernel refused a change; the caller tries again later
     */
    void apply(Collection<DesiredService> services);
}
