package io.trellis.controller.config;

import static java.util.Objects.requireNonNull;

import io.trellis.ipam.cidr.Cidr;
import java.util.Optional;

/**
 * The whole {@code trellis-controller.yaml}.
 *
 * @param clusterCidr      the IPv4 network every node pod CIDR is carved from
 * @param nodeCidrMaskSize prefix length of each node's pod CIDR
 * @param leaderElection   the Lease the replicas compete for
 * @param agentApi         where agents watch their NetworkPolicy objects; empty: no policy channel
 */
public record ControllerConfig(Cidr clusterCidr, int nodeCidrMaskSize, LeaderElectionSettings leaderElection,
                               Optional<AgentApiSettings> agentApi) {
    public ControllerConfig {
        requireNonNull(clusterCidr, "clusterCidr");
        requireNonNull(leaderElection, "leaderElection");
        requireNonNull(agentApi, "agentApi");
    }

    /** Without the policy channel. */
    public ControllerConfig(Cidr clusterCidr, int nodeCidrMaskSize, LeaderElectionSettings leaderElection) {
        this(clusterCidr, nodeCidrMaskSize, leaderElection, Optional.empty());
    }
}
