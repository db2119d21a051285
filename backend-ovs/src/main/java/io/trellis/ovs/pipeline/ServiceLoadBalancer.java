package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;

/**
 * One Service frontend with the select group that spreads its new connections over its backends.
 *
 * @param frontend cluster IP, protocol, port
 * @param groupId  the OpenFlow group of this frontend, 1..0x7fffffff (the proxy's range)
 * @param backends the endpoints, distinct, sorted; empty: new connections are dropped
 */
public record ServiceLoadBalancer(ServiceFrontend frontend, int groupId, List<ServiceBackend> backends) {

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
    }
}
