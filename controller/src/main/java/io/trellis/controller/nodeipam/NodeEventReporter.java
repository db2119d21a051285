package io.trellis.controller.nodeipam;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the failure and records it as a core/v1 Warning Event about the Node, in namespace {@code default} where
 * Kubernetes puts events of cluster-scoped objects, so that {@code kubectl describe node} shows it. A failed Event
 * write is only logged: the log line already says everything.
 */
public final class NodeEventReporter implements AllocationFailureReporter {
    static final String EVENT_NAMESPACE = "default";
    static final String COMPONENT = "trellis-controller";
    private static final Logger LOG = LoggerFactory.getLogger(NodeEventReporter.class);

    private final KubernetesClient client;
    private final Clock clock;

    public NodeEventReporter(KubernetesClient client, Clock clock) {
        this.client = requireNonNull(client, "client");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public void report(String nodeName, String reason, String message) {
        LOG.error("node {}: {}", nodeName, message);
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Event event = new EventBuilder()
                .withNewMetadata()
                    // Kubernetes' own naming, object name and a dot, with a unique suffix the server adds.
                    .withGenerateName(nodeName + ".")
                    .withNamespace(EVENT_NAMESPACE)
                .endMetadata()
                .withNewInvolvedObject()
                    .withApiVersion("v1").withKind("Node").withName(nodeName)
                .endInvolvedObject()
                .withType("Warning")
                .withReason(reason)
                .withMessage(message)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .withFirstTimestamp(now.toString())
                .withLastTimestamp(now.toString())
                .withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(EVENT_NAMESPACE).resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.warn("node {}: cannot record the {} event: {}", nodeName, reason, e.getMessage());
        }
    }
}
