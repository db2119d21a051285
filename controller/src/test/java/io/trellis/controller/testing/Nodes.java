package io.trellis.controller.testing;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Optional;

/** Creates and reads Nodes on the API stand-in. */
public record Nodes(KubernetesClient client) {
    public void create(String name) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    }

    public void createWithCidr(String name, String cidr) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withPodCIDR(cidr).withPodCIDRs(cidr).endSpec().build()).create();
    }

    public void delete(String name) {
        client.nodes().withName(name).delete();
    }

    /** spec.podCIDR, checking that spec.podCIDRs holds exactly the same CIDR when set. */
    public Optional<String> podCidr(String name) {
        Node node = client.nodes().withName(name).get();
        if (node == null || node.getSpec() == null || node.getSpec().getPodCIDR() == null) {
            return Optional.empty();
        }
        String cidr = node.getSpec().getPodCIDR();
        if (!List.of(cidr).equals(node.getSpec().getPodCIDRs())) {
            throw new AssertionError("node " + name + ": spec.podCIDR " + cidr + " but spec.podCIDRs "
                    + node.getSpec().getPodCIDRs());
        }
        return Optional.of(cidr);
    }

    public boolean hasCidr(String name) {
        return podCidr(name).isPresent();
    }
}
