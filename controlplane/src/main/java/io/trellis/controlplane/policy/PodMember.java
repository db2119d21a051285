package io.trellis.controlplane.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.PodRef;
import java.net.InetAddress;
import java.util.List;

/**
 * A pod in a group: where it runs, its addresses and its named ports (what an agent needs to
 * match it and to resolve named policy ports without watching Pods itself).
 *
 * @param node  the node the pod is scheduled on
 * @param ips   the pod's IPs ({@code status.podIPs}); a pod without any is not a member yet
 * @param ports the pod's named container ports
 */
public record PodMember(PodRef pod, String node, List<InetAddress> ips, List<NamedPort> ports) {
    public PodMember {
        requireNonNull(pod, "pod");
        requireNonNull(node, "node");
        ips = List.copyOf(requireNonNull(ips, "ips"));
        ports = List.copyOf(requireNonNull(ports, "ports"));
        if (ips.isEmpty()) {
            throw new IllegalArgumentException("group member " + pod + " has no IP");
        }
    }
}
