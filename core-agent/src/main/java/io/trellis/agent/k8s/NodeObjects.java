package io.trellis.agent.k8s;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.trellis.cni.model.IpLiteral;
import io.trellis.spi.model.IpPrefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Reads the fields the agent needs from a fabric8 {@link Node}; a malformed value is an error naming the field and value. */
final class NodeObjects {
    static final String INTERNAL_IP = "InternalIP";

    private NodeObjects() {
    }

    static ObservedNode observe(Node node) {
        String name = node.getMetadata().getName();
        return new ObservedNode(name, podCidrs(node), internalIps(node));
    }

    /** {@code spec.podCIDRs}, or {@code spec.podCIDR} when only that is set (older controllers). */
    static List<IpPrefix> podCidrs(Node node) {
        List<IpPrefix> out = new ArrayList<>();
        if (node.getSpec() == null) {
            return out;
        }
        List<String> many = node.getSpec().getPodCIDRs();
        if (many != null && !many.isEmpty()) {
            for (int i = 0; i < many.size(); i++) {
                out.add(prefix(node, "spec.podCIDRs[" + i + "]", many.get(i)));
            }
        } else if (node.getSpec().getPodCIDR() != null && !node.getSpec().getPodCIDR().isEmpty()) {
            out.add(prefix(node, "spec.podCIDR", node.getSpec().getPodCIDR()));
        }
        if (out.size() > 2 || out.stream().map(IpPrefix::isIpv4).distinct().count() != out.size()) {
            throw new NodeUnavailableException("Node " + node.getMetadata().getName()
                    + ": spec.podCIDRs must hold at most one CIDR per IP family, got " + out);
        }
        return out;
    }

    static List<InetAddress> internalIps(Node node) {
        List<InetAddress> out = new ArrayList<>();
        if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
            return out;
        }
        List<NodeAddress> addresses = node.getStatus().getAddresses();
        for (int i = 0; i < addresses.size(); i++) {
            NodeAddress a = addresses.get(i);
            if (INTERNAL_IP.equals(a.getType())) {
                try {
                    out.add(IpLiteral.parse(a.getAddress()));
                } catch (IllegalArgumentException e) {
                    throw new NodeUnavailableException("Node " + node.getMetadata().getName() + ": status.addresses[" + i
                            + "].address: '" + a.getAddress() + "' is not an IP address");
                }
            }
        }
        return out;
    }

    private static IpPrefix prefix(Node node, String field, String value) {
        try {
            return IpPrefix.parse(value);
        } catch (IllegalArgumentException e) {
            throw new NodeUnavailableException("Node " + node.getMetadata().getName() + ": " + field + ": "
                    + e.getMessage());
        }
    }
}
