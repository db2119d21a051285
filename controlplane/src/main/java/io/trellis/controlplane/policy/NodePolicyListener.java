package io.trellis.controlplane.policy;

import java.util.Collection;

/**
 * What an agent receives from the controller for its node, in order, from one thread: a full
 * snapshot after each (re)connection that could not resume, then changes.
 */
public interface NodePolicyListener {

    /** Every object that spans this node now; objects received before and not listed are gone. */
    void replaceAll(Collection<PolicyObject> objects);

    /** One object was added or changed (an applied-to group holds only this node's members). */
    void upsert(PolicyObject object);

    /** One object no longer spans this node or was deleted. */
    void remove(PolicyObjectKey key);
}
