package io.trellis.controller.config;

import static java.util.Objects.requireNonNull;

import io.trellis.ipam.cidr.Cidr;

/**
 * The whole {@code trellis-controller.yaml}.
 *
 * @param clusterCidr      the IPv4 network every node pod CIDR is carved from
 * @param nodeCidrMaskSize prefix length of each node's pod CIDR
 * @param leaderElection   the Lease the replicas compete for
 */
public record ControllerConfig(Cidr clusterCidr, int nodeCidrMaskSize, LeaderElectionSettings leaderElection) {
    public ControllerConfig {
        requireNonNull(clusterCidr, "clusterCidr");
        requireNonNull(leaderElection, "leaderElection");
    }
}
