package io.trellis.controlplane.policy;

import java.util.Set;

/**
 * Where the controller's computation publishes its objects; the agent channel implements it and
 * serves each node what spans it. Calls come from one thread, in order.
 */
public interface PolicyObjectSink {

    /**
     * An object was created or changed, or its span changed. {@code span}: the nodes that need it
     * (for an {@link AppliedToGroup}, those of its members; the channel sends each node only its
     * own members). An object whose span becomes empty stays known but is sent to no node.
     */
    void upsert(PolicyObject object, Set<String> span);

    /** The object no longer exists; nodes that had it are told to forget it. */
    void remove(PolicyObjectKey key);
}
