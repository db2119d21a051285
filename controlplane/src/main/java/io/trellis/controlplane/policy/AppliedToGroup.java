package io.trellis.controlplane.policy;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The pods one or more policies apply to (a {@code podSelector} in a namespace). Its span is the
 * nodes of its members; each agent receives only the members on its own node.
 *
 * @param name    derived from the selector, so policies with the same selector share the group
 * @param members the selected pods that have an IP, sorted by pod
 */
public record AppliedToGroup(String name, List<PodMember> members) implements PolicyObject {
    public AppliedToGroup {
        requireNonNull(name, "name");
        members = List.copyOf(requireNonNull(members, "members"));
    }

    @Override
    public PolicyObjectKey key() {
        return new PolicyObjectKey(PolicyObjectKey.Kind.APPLIED_TO_GROUP, name);
    }

    /** This group as the agent on {@code node} receives it: only the members on that node. */
    public AppliedToGroup onNode(String node) {
        return new AppliedToGroup(name, members.stream().filter(m -> m.node().equals(node)).toList());
    }
}
