package io.trellis.controlplane.stream;

import static java.util.Objects.requireNonNull;

import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import java.util.List;

/**
 * One line of the policy watch stream, for one node. Every event carries the resource version the
 * agent has seen everything up to once it has processed the event; the agent sends the last one back
 * ({@code ?resourceVersion=}) when it reconnects. Versions are opaque to the agent.
 */
public sealed interface StreamEvent {

    String resourceVersion();

    /** Everything that spans the node now; the agent drops whatever it had and is not listed. */
    record Snapshot(String resourceVersion, List<PolicyObject> objects) implements StreamEvent {
        public Snapshot {
            checkVersion(resourceVersion);
            objects = List.copyOf(requireNonNull(objects, "objects"));
        }
    }

    /** An object entered the node's span. */
    record Added(String resourceVersion, PolicyObject object) implements StreamEvent {
        public Added {
            checkVersion(resourceVersion);
            requireNonNull(object, "object");
        }
    }

    /** An object in the node's span changed (as the node sees it). */
    record Modified(String resourceVersion, PolicyObject object) implements StreamEvent {
        public Modified {
            checkVersion(resourceVersion);
            requireNonNull(object, "object");
        }
    }

    /** An object left the node's span or was deleted. */
    record Deleted(String resourceVersion, PolicyObjectKey key) implements StreamEvent {
        public Deleted {
            checkVersion(resourceVersion);
            requireNonNull(key, "key");
        }
    }

    /**
     * Sent when nothing else was for a while: proves the connection alive and moves the agent's
     * resume point forward past changes that did not concern its node.
     */
    record Heartbeat(String resourceVersion) implements StreamEvent {
        public Heartbeat {
            checkVersion(resourceVersion);
        }
    }

    private static void checkVersion(String resourceVersion) {
        requireNonNull(resourceVersion, "resourceVersion");
        if (resourceVersion.isEmpty()) {
            throw new IllegalArgumentException("resourceVersion must not be empty");
        }
    }
}
