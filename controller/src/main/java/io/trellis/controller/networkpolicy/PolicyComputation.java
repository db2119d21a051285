package io.trellis.controller.networkpolicy;

import static java.util.Objects.requireNonNull;

import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.InternalRule;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import io.trellis.controlplane.policy.PolicyObjectSink;
import io.trellis.controlplane.policy.RulePeers;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IpBlock;
import io.trellis.spi.policy.PolicyRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The controller's NetworkPolicy model, free of any Kubernetes client: fed Namespaces, Pods and
 * validated policies, it keeps the {@link io.trellis.controlplane.policy.AppliedToGroup}s,
 * {@link io.trellis.controlplane.policy.AddressGroup}s and {@link InternalPolicy}s with their spans
 * and publishes every change to a {@link PolicyObjectSink}.
 *
 * <p>Groups are shared: one per distinct (normalized) selector, named by its hash, removed when no
 * policy uses it. Each event re-evaluates only the groups it can affect: a pod event the groups
 * holding its namespace's pods ({@link #groupsByNamespace}), a namespace label change only the
 * namespaceSelector groups. Spans are kept as per-node counters, so a pod moving is O(policies
 * using its groups). Only objects whose content or span changed are published.
 *
 * <p>Publishing order per event keeps every node's view consistent (no policy refers to a group the
 * node lacks): groups are published first with their old and new span together, then policies,
 * then policy removals, then groups shrink to their new span or are removed.
 *
 * <p>Not thread-safe: one thread calls it ({@link NetworkPolicyController}'s executor).
 */
public final class PolicyComputation {
    private static final Comparator<PolicyObjectKey> KEY_ORDER = Comparator.comparing(PolicyObjectKey::kind)
            .thenComparing(PolicyObjectKey::name);
    /**
     * Egress rules with no peers but named ports: the agent resolves a named port on the peer pod,
     * so "every peer" becomes every pod (to resolve names on) plus every address (for numeric ports).
     */
    private static final GroupSelector ALL_PODS =
            GroupSelector.byNamespaceSelector(LabelSelector.EVERYTHING, LabelSelector.EVERYTHING);
    private static final List<IpBlock> ALL_ADDRESSES = List.of(IpBlock.of(IpPrefix.parse("0.0.0.0/0")),
            IpBlock.of(IpPrefix.parse("::/0")));

    private final PolicyObjectSink sink;
    private boolean publishing;

    private final Map<String, NamespaceInfo> namespaces = new HashMap<>();
    private final NamespaceLabelIndex namespaceIndex = new NamespaceLabelIndex();
    private final Map<PodRef, PodInfo> pods = new HashMap<>();
    /** The member record of each pod that can be selected (shared by all its groups). */
    private final Map<PodRef, PodMember> podMembers = new HashMap<>();
    private final Map<String, Map<PodRef, PodInfo>> podsByNamespace = new HashMap<>();

    private final Map<GroupSelector, Group> appliedToGroups = new HashMap<>();
    private final Map<GroupSelector, Group> addressGroups = new HashMap<>();
    private final Map<PolicyObjectKey, Group> groupsByKey = new HashMap<>();
    /** Namespace to the groups that hold its pods now: the only groups a pod event there can change. */
    private final Map<String, Set<Group>> groupsByNamespace = new HashMap<>();
    /** The namespaceSelector groups, by a label they require: the groups a namespace label change can affect. */
    private final NamespaceSelectorIndex namespaceSelectorGroups = new NamespaceSelectorIndex();

    private final Map<PolicyRef, PolicyState> policies = new HashMap<>();
    private final Map<String, PolicyState> policiesByUid = new HashMap<>();

    private final Map<PolicyObjectKey, Published> published = new HashMap<>();
    private final Set<PolicyObjectKey> dirty = new HashSet<>();

    private record Published(PolicyObject object, Set<String> span) {
    }

    public PolicyComputation(PolicyObjectSink sink) {
        this.sink = requireNonNull(sink, "sink");
    }

    /**
     * Publishes every object computed so far and from now on each change as it happens. Until
     * then events only update the model (the controller calls this once its informers synced, so
     * agents never see a partial model).
     */
    public void startPublishing() {
        publishing = true;
        flush();
    }

    // ---------------------------------------------------------------- namespaces

    public void upsertNamespace(NamespaceInfo namespace) {
        NamespaceInfo old = namespaces.put(namespace.name(), namespace);
        if (namespace.equals(old)) {
            return;
        }
        namespaceIndex.update(namespace.name(), old == null ? null : old.labels(), namespace.labels());
        for (Group group : affectedByNamespace(namespace.name(), namespace.labels())) {
            reevaluateNamespace(group, namespace.name(), namespace.labels());
        }
        flush();
    }

    public void deleteNamespace(String name) {
        NamespaceInfo old = namespaces.remove(name);
        if (old == null) {
            return;
        }
        namespaceIndex.update(name, old.labels(), null);
        for (Group group : affectedByNamespace(name, null)) {
            reevaluateNamespace(group, name, null);
        }
        flush();
    }

    /** The namespaceSelector groups that hold {@code namespace}'s pods now or may match its {@code labels}. */
    private Set<Group> affectedByNamespace(String namespace, Map<String, String> labels) {
        Set<Group> groups = namespaceSelectorGroups.candidates(labels);
        for (Group group : groupsByNamespace.getOrDefault(namespace, Set.of())) {
            if (group.selector.namespaceSelector().isPresent()) {
                groups.add(group);
            }
        }
        return groups;
    }

    private void reevaluateNamespace(Group group, String namespace, Map<String, String> labels) {
        boolean now = group.selector.matchesNamespace(namespace, labels);
        if (now == group.namespaces.contains(namespace)) {
            return;
        }
        Collection<PodInfo> inNamespace = podsByNamespace.getOrDefault(namespace, Map.of()).values();
        if (now) {
            holdNamespace(group, namespace);
            inNamespace.forEach(pod -> evaluate(group, pod));
        } else {
            releaseNamespace(group, namespace);
            inNamespace.forEach(pod -> removeMember(group, pod.pod()));
        }
    }

    private void holdNamespace(Group group, String namespace) {
        group.namespaces.add(namespace);
        groupsByNamespace.computeIfAbsent(namespace, n -> new LinkedHashSet<>()).add(group);
    }

    private void releaseNamespace(Group group, String namespace) {
        group.namespaces.remove(namespace);
        Set<Group> groups = groupsByNamespace.get(namespace);
        groups.remove(group);
        if (groups.isEmpty()) {
            groupsByNamespace.remove(namespace);
        }
    }

    // ---------------------------------------------------------------- pods

    public void upsertPod(PodInfo pod) {
        PodInfo old = pods.put(pod.pod(), pod);
        if (pod.equals(old)) {
            return;
        }
        podsByNamespace.computeIfAbsent(pod.pod().namespace(), n -> new HashMap<>()).put(pod.pod(), pod);
        if (pod.isMember()) {
            PodMember member = pod.toMember();
            PodMember previous = podMembers.get(pod.pod());
            podMembers.put(pod.pod(), member.equals(previous) ? previous : member);
        } else {
            podMembers.remove(pod.pod());
        }
        for (Group group : groupsByNamespace.getOrDefault(pod.pod().namespace(), Set.of())) {
            evaluate(group, pod);
        }
        flush();
    }

    public void deletePod(PodRef ref) {
        PodInfo old = pods.remove(ref);
        if (old == null) {
            return;
        }
        Map<PodRef, PodInfo> inNamespace = podsByNamespace.get(ref.namespace());
        inNamespace.remove(ref);
        if (inNamespace.isEmpty()) {
            podsByNamespace.remove(ref.namespace());
        }
        podMembers.remove(ref);
        for (Group group : groupsByNamespace.getOrDefault(ref.namespace(), Set.of())) {
            removeMember(group, ref);
        }
        flush();
    }

    /** Makes {@code pod} a member of {@code group} or not; the caller knows the group holds its namespace. */
    private void evaluate(Group group, PodInfo pod) {
        PodMember member = podMembers.get(pod.pod());
        if (member != null && group.selector.podSelector().matches(pod.labels())) {
            putMember(group, member);
        } else {
            removeMember(group, pod.pod());
        }
    }

    private void putMember(Group group, PodMember member) {
        PodMember old = group.members.put(member.pod(), member);
        if (member.equals(old)) {
            return;
        }
        dirty.add(group.key);
        if (group.isAppliedTo()) {
            if (old != null) {
                leaveNode(group, old.node());
            }
            enterNode(group, member.node());
        }
    }

    private void removeMember(Group group, PodRef pod) {
        PodMember old = group.members.remove(pod);
        if (old == null) {
            return;
        }
        dirty.add(group.key);
        if (group.isAppliedTo()) {
            leaveNode(group, old.node());
        }
    }

    /** An applied-to group got a member on {@code node}; the first one widens its policies' spans. */
    private void enterNode(Group appliedTo, String node) {
        if (appliedTo.memberNodes.merge(node, 1, Integer::sum) == 1) {
            for (PolicyState policy : appliedTo.policies) {
                dirty.add(policy.internal().key());
                policy.addressGroups().forEach(group -> addPolicyNode(group, node));
            }
        }
    }

    private void leaveNode(Group appliedTo, String node) {
        if (appliedTo.memberNodes.merge(node, -1, Integer::sum) == 0) {
            appliedTo.memberNodes.remove(node);
            for (PolicyState policy : appliedTo.policies) {
                dirty.add(policy.internal().key());
                policy.addressGroups().forEach(group -> removePolicyNode(group, node));
            }
        }
    }

    private void addPolicyNode(Group addressGroup, String node) {
        if (addressGroup.policyNodes.merge(node, 1, Integer::sum) == 1) {
            dirty.add(addressGroup.key);
        }
    }

    private void removePolicyNode(Group addressGroup, String node) {
        if (addressGroup.policyNodes.merge(node, -1, Integer::sum) == 0) {
            addressGroup.policyNodes.remove(node);
            dirty.add(addressGroup.key);
        }
    }

    // ---------------------------------------------------------------- policies

    /**
     * Adds or replaces the policy {@code spec.ref()}.
     *
     * @throws IllegalArgumentException when another policy already has its uid (the model is unchanged)
     */
    public void upsertPolicy(PolicySpec spec) {
        PolicyState old = policies.get(spec.ref());
        if (old != null && old.spec().equals(spec)) {
            return;
        }
        PolicyState sameUid = policiesByUid.get(spec.uid());
        if (sameUid != null && !sameUid.spec().ref().equals(spec.ref())) {
            throw new IllegalArgumentException("NetworkPolicy " + spec.ref() + " has uid " + spec.uid()
                    + ", which policy " + sameUid.spec().ref() + " has already");
        }
        PolicyState created = build(spec);
        // Attach the new version before detaching the old one, so the groups both use are kept, not rebuilt.
        attach(created);
        if (old != null) {
            detach(old);
        }
        flush();
    }

    public void deletePolicy(PolicyRef ref) {
        PolicyState old = policies.get(ref);
        if (old == null) {
            return;
        }
        detach(old);
        flush();
    }

    private PolicyState build(PolicySpec spec) {
        String namespace = spec.ref().namespace();
        GroupSelector appliedToSelector = GroupSelector.inNamespace(namespace, spec.podSelector());
        Map<String, GroupSelector> peerGroups = new LinkedHashMap<>();
        List<InternalRule> rules = new ArrayList<>();
        addRules(Direction.INGRESS, spec.ingress(), namespace, peerGroups, rules);
        addRules(Direction.EGRESS, spec.egress(), namespace, peerGroups, rules);
        InternalPolicy internal = new InternalPolicy(spec.uid(), spec.ref(), appliedToSelector.name(),
                spec.isolates(), rules);
        Group appliedTo = group(appliedToGroups, PolicyObjectKey.Kind.APPLIED_TO_GROUP, appliedToSelector);
        Set<Group> groups = new LinkedHashSet<>();
        peerGroups.values().forEach(selector ->
                groups.add(group(addressGroups, PolicyObjectKey.Kind.ADDRESS_GROUP, selector)));
        return new PolicyState(spec, internal, appliedTo, groups);
    }

    private static void addRules(Direction direction, List<RuleSpec> specs, String namespace,
            Map<String, GroupSelector> peerGroups, List<InternalRule> rules) {
        for (int index = 0; index < specs.size(); index++) {
            RuleSpec rule = specs.get(index);
            RulePeers peers;
            if (rule.peers().isEmpty()) {
                boolean namedPorts = rule.ports().stream().anyMatch(p -> p.portName().isPresent());
                if (direction == Direction.EGRESS && namedPorts) {
                    peerGroups.putIfAbsent(ALL_PODS.name(), ALL_PODS);
                    peers = RulePeers.of(List.of(ALL_PODS.name()), ALL_ADDRESSES);
                } else {
                    peers = RulePeers.ANY;
                }
            } else {
                Set<String> groupNames = new LinkedHashSet<>();
                List<IpBlock> blocks = new ArrayList<>();
                for (PeerSpec peer : rule.peers()) {
                    if (peer instanceof PeerSpec.Pods pods) {
                        GroupSelector selector = pods.group(namespace);
                        groupNames.add(selector.name());
                        peerGroups.putIfAbsent(selector.name(), selector);
                    } else if (peer instanceof PeerSpec.Addresses addresses) {
                        blocks.add(addresses.block());
                    }
                }
                peers = RulePeers.of(List.copyOf(groupNames), blocks);
            }
            rules.add(new InternalRule(direction, index, peers, rule.ports()));
        }
    }

    private Group group(Map<GroupSelector, Group> groups, PolicyObjectKey.Kind kind, GroupSelector selector) {
        Group existing = groups.get(selector);
        if (existing != null) {
            return existing;
        }
        Group group = new Group(kind, selector);
        Group clash = groupsByKey.putIfAbsent(group.key, group);
        if (clash != null) {
            // 128 bits of SHA-256 over an unambiguous text: not expected in practice, but never merge two groups.
            throw new IllegalStateException("group name clash: " + clash.selector + " and " + selector + " are both "
                    + group.key);
        }
        groups.put(selector, group);
        dirty.add(group.key);
        if (selector.namespace().isPresent()) {
            String namespace = selector.namespace().get();
            holdNamespace(group, namespace);
            podsByNamespace.getOrDefault(namespace, Map.of()).values().forEach(pod -> evaluate(group, pod));
        } else {
            namespaceSelectorGroups.add(group);
            for (String namespace : namespaceIndex.candidates(selector.namespaceSelector().get(), namespaces.keySet())) {
                reevaluateNamespace(group, namespace, namespaces.get(namespace).labels());
            }
        }
        return group;
    }

    private void attach(PolicyState policy) {
        policies.put(policy.spec().ref(), policy);
        policiesByUid.put(policy.spec().uid(), policy);
        dirty.add(policy.internal().key());
        policy.appliedTo().policies.add(policy);
        for (Group group : policy.addressGroups()) {
            group.policies.add(policy);
            policy.appliedTo().memberNodes.keySet().forEach(node -> addPolicyNode(group, node));
        }
    }

    private void detach(PolicyState policy) {
        policies.remove(policy.spec().ref(), policy);
        policiesByUid.remove(policy.spec().uid(), policy);
        dirty.add(policy.internal().key());
        release(policy.appliedTo(), policy);
        for (Group group : policy.addressGroups()) {
            policy.appliedTo().memberNodes.keySet().forEach(node -> removePolicyNode(group, node));
            release(group, policy);
        }
    }

    private void release(Group group, PolicyState policy) {
        group.policies.remove(policy);
        if (!group.policies.isEmpty()) {
            return;
        }
        (group.isAppliedTo() ? appliedToGroups : addressGroups).remove(group.selector);
        groupsByKey.remove(group.key);
        for (String namespace : List.copyOf(group.namespaces)) {
            releaseNamespace(group, namespace);
        }
        if (group.selector.namespaceSelector().isPresent()) {
            namespaceSelectorGroups.remove(group);
        }
        dirty.add(group.key);
    }

    // ---------------------------------------------------------------- publishing

    private void flush() {
        if (!publishing || dirty.isEmpty()) {
            return;
        }
        List<PolicyObjectKey> keys = new ArrayList<>(dirty);
        dirty.clear();
        keys.sort(KEY_ORDER);
        List<Group> shrinking = new ArrayList<>();
        List<PolicyObjectKey> removed = new ArrayList<>();
        // 1. Groups, over their old and new span: a node losing a group may still hold a policy using it.
        for (PolicyObjectKey key : keys) {
            if (key.kind() == PolicyObjectKey.Kind.POLICY) {
                continue;
            }
            Group group = groupsByKey.get(key);
            if (group == null) {
                removed.add(key);
                continue;
            }
            SortedSet<String> span = new TreeSet<>(group.span());
            Published previous = published.get(key);
            SortedSet<String> widened = span;
            if (previous != null && !span.containsAll(previous.span())) {
                widened = new TreeSet<>(span);
                widened.addAll(previous.span());
                shrinking.add(group);
            }
            publish(key, group.toObject(), widened);
        }
        // 2. Policies, then 3. removed policies.
        for (PolicyObjectKey key : keys) {
            if (key.kind() == PolicyObjectKey.Kind.POLICY) {
                PolicyState policy = policiesByUid.get(key.name());
                if (policy != null) {
                    publish(key, policy.internal(), new TreeSet<>(policy.appliedTo().span()));
                }
            }
        }
        for (PolicyObjectKey key : keys) {
            if (key.kind() == PolicyObjectKey.Kind.POLICY && !policiesByUid.containsKey(key.name())) {
                unpublish(key);
            }
        }
        // 4. Groups shrink to their span or go.
        for (Group group : shrinking) {
            publish(group.key, group.toObject(), new TreeSet<>(group.span()));
        }
        removed.forEach(this::unpublish);
    }

    private void publish(PolicyObjectKey key, PolicyObject object, SortedSet<String> span) {
        Published previous = published.get(key);
        if (previous != null && previous.span().equals(span) && previous.object().equals(object)) {
            return;
        }
        Set<String> frozen = Collections.unmodifiableSortedSet(span);
        published.put(key, new Published(object, frozen));
        sink.upsert(object, frozen);
    }

    private void unpublish(PolicyObjectKey key) {
        if (published.remove(key) != null) {
            sink.remove(key);
        }
    }
}
