package io.trellis.controlplane.policy;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The pods a rule's peer selector matches (namespaceSelector and/or podSelector), anywhere in the
 * cluster. Its span is the union of the spans of the policies that use it; agents receive all
 * members.
 *
 * @param name    derived from the selector, so rules with the same peer selector share the group
 * @param members the selected pods that have an IP, sorted by pod
 */
public record AddressGroup(String name, List<PodMember> members) implements PolicyObject {
    public AddressGroup {
        requireNonNull(name, "name");
        members = List.copyOf(requireNonNull(members, "members"));
    }

    @Override
    public PolicyObjectKey key() {
        return new PolicyObjectKey(PolicyObjectKey.Kind.ADDRESS_GROUP, name);
    }
}
