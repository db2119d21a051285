package io.trellis.controlplane.policy;

/**
 * An object the controller computes from NetworkPolicies, Pods and Namespaces and sends to the
 * agents whose nodes need it (its span). Objects refer to each other by name.
 */
public sealed interface PolicyObject permits AppliedToGroup, AddressGroup, InternalPolicy {

    /** Which kind and name this object has: unique among all objects. */
    PolicyObjectKey key();
}
