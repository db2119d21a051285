package io.trellis.controller.nodeipam;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import java.util.List;

/** Reads a Node's pod CIDRs: {@code spec.podCIDRs} when set, else the older single {@code spec.podCIDR}. */
final class NodePodCidrs {
    private NodePodCidrs() {
    }

    static List<String> of(Node node) {
        NodeSpec spec = node.getSpec();
        if (spec == null) {
            return List.of();
        }
        if (spec.getPodCIDRs() != null && !spec.getPodCIDRs().isEmpty()) {
            return List.copyOf(spec.getPodCIDRs());
        }
        String single = spec.getPodCIDR();
        return single == null || single.isEmpty() ? List.of() : List.of(single);
    }
}
