package io.trellis.controller.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * The {@code leaderElection} section: the Lease the replicas compete for and its timing, with the meaning
 * {@code kube-controller-manager} gives them.
 *
 * @param identity       this replica's holder identity; empty means hostname + "_" + pid
 * @param leaseNamespace namespace of the coordination.k8s.io Lease
 * @param leaseName      name of the Lease
 * @param leaseDuration  how long a non-leader waits after the last renewal before it takes the Lease over
 * @param renewDeadline  how long the leader keeps trying to renew before it gives leadership up
 * @param retryPeriod    how often every replica tries to acquire or renew
 */
public record LeaderElectionSettings(Optional<String> identity, String leaseNamespace, String leaseName,
                                     Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    public LeaderElectionSettings {
        requireNonNull(identity, "identity");
        requireNonNull(leaseNamespace, "leaseNamespace");
        requireNonNull(leaseName, "leaseName");
        requireNonNull(leaseDuration, "leaseDuration");
        requireNonNull(renewDeadline, "renewDeadline");
        requireNonNull(retryPeriod, "retryPeriod");
        if (renewDeadline.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException("leaderElection.renewDeadline (" + renewDeadline
                    + ") must be shorter than leaderElection.leaseDuration (" + leaseDuration + ")");
        }
        if (retryPeriod.compareTo(renewDeadline) >= 0) {
            throw new IllegalArgumentException("leaderElection.retryPeriod (" + retryPeriod
                    + ") must be shorter than leaderElection.renewDeadline (" + renewDeadline + ")");
        }
    }

    /** The configured identity, else {@code fallback} (hostname_pid). */
    public String identityOr(String fallback) {
        return identity.orElse(fallback);
    }
}
