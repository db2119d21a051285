package io.trellis.agent.k8s;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads this agent's Node object through the Kubernetes API, waiting, at start, until it exists
 * and (when the configuration takes pod CIDRs from the Node) until the controller has assigned
 * {@code spec.podCIDRs}. Polls with a plain GET, which every API server answers the same way;
 * logs what it waits for when that changes and every {@link #LOG_EVERY}; gives up after the
 * timeout with a message that says what was missing and who is expected to provide it.
 */
public final class NodeReader {
    private static final Logger LOG = LoggerFactory.getLogger(NodeReader.class);
    static final Duration LOG_EVERY = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final Duration pollInterval;

    public NodeReader(KubernetesClient client, Duration pollInterval) {
        this.client = requireNonNull(client, "client");
        this.pollInterval = requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("poll interval must be positive, got " + pollInterval);
        }
    }

    /** The Node as it is now, if it exists. */
    public Optional<ObservedNode> read(String nodeName) {
        Node node = client.nodes().withName(requireNonNull(nodeName, "nodeName")).get();
        return Optional.ofNullable(node).map(NodeObjects::observe);
    }

    /**
     * Waits until the Node exists and, with {@code needPodCidrs}, has pod CIDRs. Throws
     * {@link NodeUnavailableException} after {@code timeout}, at once when the API server refuses
     * access (401/403: retrying does not help) or the Node holds a malformed value.
     */
    public ObservedNode await(String nodeName, boolean needPodCidrs, Duration timeout) throws InterruptedException {
        requireNonNull(nodeName, "nodeName");
        requireNonNull(timeout, "timeout");
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String waitingFor = null;
        long lastLog = start;
        while (true) {
            String reason;
            try {
                Optional<ObservedNode> node = read(nodeName);
                if (node.isEmpty()) {
                    reason = "Node " + nodeName + " does not exist yet (the kubelet registers it)";
                } else if (needPodCidrs && node.get().podCidrs().isEmpty()) {
                    reason = "Node " + nodeName + " has no spec.podCIDR yet (the Trellis controller, or kube-controller-manager"
                            + " with --allocate-node-cidrs, assigns it; or fix the range with network.podCidr)";
                } else {
                    return node.get();
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() == 401 || e.getCode() == 403) {
                    throw new NodeUnavailableException("the API server refused to read Node " + nodeName + " (HTTP "
                            + e.getCode() + "): " + e.getMessage() + "; the agent needs 'get' on nodes", e);
                }
                reason = "cannot read Node " + nodeName + " from the API server: " + e.getMessage();
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                throw new NodeUnavailableException("gave up after " + format(timeout) + ": " + reason);
            }
            if (!reason.equals(waitingFor) || now - lastLog >= LOG_EVERY.toNanos()) {
                LOG.info("waiting ({} of {}): {}", format(Duration.ofNanos(now - start)), format(timeout), reason);
                waitingFor = reason;
                lastLog = now;
            }
            Thread.sleep(Math.min(pollInterval.toMillis(), Math.max(1, (deadline - now) / 1_000_000)));
        }
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
