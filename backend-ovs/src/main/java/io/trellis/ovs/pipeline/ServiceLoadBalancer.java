package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;

/**
 * One Service frontend with the select group that spreads its new connections over its backends.
 *
 * @param frontend               cluster IP, protocol, port
 * @param groupId                the OpenFlow group of this frontend, 1..0x7fffffff (the proxy's range)
 * @param backends               the endpoints, distinct, sorted; empty: new connections are rejected
 * @param affinityTimeoutSeconds ClientIP session affinity: a client's new connections go to the
 *                               endpoint of its previous one if that was at most this many seconds
 *                               ago; 0 for none (every new connection is balanced on its own)
 */
public record ServiceLoadBalancer(ServiceFrontend frontend, int groupId, List<ServiceBackend> backends,
                                  int affinityTimeoutSeconds) {

    public ServiceLoadBalancer {
        requireNonNull(frontend, "frontend");
        if (groupId < 1) {
            throw new IllegalArgumentException("service frontend " + frontend + ": group id " + groupId
                    + " out of range 1..2147483647");
        }
        backends = backends.stream().sorted().toList();
        if (new HashSet<>(backends).size() != backends.size()) {
            throw new IllegalArgumentException("service frontend " + frontend + ": backends repeat in " + backends);
        }
        if (affinityTimeoutSeconds < 0) {
            throw new IllegalArgumentException("service frontend " + frontend + ": affinity timeout "
                    + affinityTimeoutSeconds + " s is negative");
        }
    }

    /** A frontend without session affinity. */
    public ServiceLoadBalancer(ServiceFrontend frontend, int groupId, List<ServiceBackend> backends) {
        this(frontend, groupId, backends, 0);
    }

    public boolean hasAffinity() {
        return affinityTimeoutSeconds > 0;
    }
}
