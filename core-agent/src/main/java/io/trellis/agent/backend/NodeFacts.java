package io.trellis.agent.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.agent.config.AgentConfig;
import io.trellis.agent.config.PodCidrSource;
import io.trellis.spi.model.IpPrefix;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the agent learnt about its node before creating the backends: its name and pod CIDRs.
 *
 * @param nodeName the Node's name
 * @param podCidrs the node's pod ranges, one per IP family
 */
public record NodeFacts(String nodeName, List<IpPrefix> podCidrs) {
    public NodeFacts {
        requireNonNull(nodeName, "nodeName");
        podCidrs = List.copyOf(requireNonNull(podCidrs, "podCidrs"));
        if (podCidrs.isEmpty()) {
            throw new IllegalArgumentException("node " + nodeName + " has no pod CIDR yet");
        }
    }

    /**
     * Resolves the facts as the configuration says: the name from its source, the pod CIDRs fixed
     * in the file or, with {@code node-spec}, from {@code nodeSpecPodCidrs} (the caller reads the
     * Node object, waiting for the controller to assign them).
     */
    public static NodeFacts resolve(
            AgentConfig config, Map<String, String> environment, Supplier<String> hostname,
            Supplier<List<IpPrefix>> nodeSpecPodCidrs) {
        String name = config.nodeName().resolve(environment, hostname);
        List<IpPrefix> cidrs = config.network().podCidr() instanceof PodCidrSource.Fixed fixed
                ? fixed.cidrs()
                : nodeSpecPodCidrs.get();
        return new NodeFacts(name, cidrs);
    }
}
