package io.trellis.controller.networkpolicy;

import static java.util.Objects.requireNonNull;

import io.trellis.controlplane.policy.NamedPort;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.spi.model.PodRef;
import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the computation needs of a Pod.
 *
 * @param node  {@code spec.nodeName}, empty while unscheduled
 * @param ips   {@code status.podIPs} in their order (the primary first)
 * @param ports the named container ports
 */
public record PodInfo(PodRef pod, Map<String, String> labels, Optional<String> node, List<InetAddress> ips,
        PodPhase phase, List<NamedPort> ports) {
    private static final Comparator<NamedPort> PORT_ORDER = Comparator.comparing(NamedPort::name)
            .thenComparing(NamedPort::protocol).thenComparingInt(NamedPort::port);

    public PodInfo {
        requireNonNull(pod, "pod");
        labels = Map.copyOf(requireNonNull(labels, "labels"));
        requireNonNull(node, "node");
        ips = List.copyOf(requireNonNull(ips, "ips"));
        requireNonNull(phase, "phase");
        // Sorted so that the same ports listed in another container order give equal group members.
        ports = requireNonNull(ports, "ports").stream().sorted(PORT_ORDER).toList();
    }

    /** Only scheduled, not terminated pods with an address can be selected: the others have no traffic. */
    public boolean isMember() {
        return node.isPresent() && !ips.isEmpty() && !phase.terminated();
    }

    /** The pod as a group member; only for {@link #isMember()} pods. */
    public PodMember toMember() {
        if (!isMember()) {
            throw new IllegalStateException("pod " + pod + " is not a group member (node " + node + ", ips " + ips
                    + ", phase " + phase + ")");
        }
        return new PodMember(pod, node.get(), ips, ports);
    }
}
