package io.trellis.controller.networkpolicy;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.controller.networkpolicy.RecordingSink.Remove;
import io.trellis.controller.networkpolicy.RecordingSink.Upsert;
import io.trellis.controlplane.policy.AddressGroup;
import io.trellis.controlplane.policy.AppliedToGroup;
import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.InternalRule;
import io.trellis.controlplane.policy.NamedPort;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.controlplane.policy.PolicyObjectKey;
import io.trellis.controlplane.policy.RulePeers;
import io.trellis.controlplane.policy.RulePort;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IpBlock;
import io.trellis.spi.policy.PolicyRef;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PolicyComputationTest {
    private final RecordingSink sink = new RecordingSink();
    private final PolicyComputation computation = new PolicyComputation(sink);

    private static final LabelSelector WEB = LabelSelector.matchLabels(Map.of("app", "web"));
    private static final LabelSelector DB = LabelSelector.matchLabels(Map.of("app", "db"));

    @BeforeEach
    void namespaces() {
        computation.upsertNamespace(new NamespaceInfo("x", Map.of("ns", "x")));
        computation.upsertNamespace(new NamespaceInfo("y", Map.of("ns", "y")));
    }

    static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static PodInfo pod(String ns, String name, String node, String ip, Map<String, String> labels) {
        return new PodInfo(new PodRef(ns, name), labels, Optional.ofNullable(node),
                ip == null ? List.of() : List.of(ip(ip)), PodPhase.RUNNING, List.of());
    }

    static PodMember member(PodInfo pod) {
        return pod.toMember();
    }

    static PolicySpec ingressFrom(String ns, String name, LabelSelector podSelector, PeerSpec... peers) {
        return new PolicySpec("uid-" + name, new PolicyRef(ns, name), podSelector, Set.of(Direction.INGRESS),
                List.of(new RuleSpec(List.of(peers), List.of(RulePort.number(Protocol.TCP, 80)))), List.of());
    }

    static PeerSpec.Pods pods(LabelSelector podSelector) {
        return new PeerSpec.Pods(Optional.empty(), Optional.of(podSelector));
    }

    static PeerSpec.Pods namespaces(LabelSelector namespaceSelector) {
        return new PeerSpec.Pods(Optional.of(namespaceSelector), Optional.empty());
    }

    static String atg(String ns, LabelSelector selector) {
        return GroupSelector.inNamespace(ns, selector).name();
    }

    static String ag(String ns, LabelSelector selector) {
        return GroupSelector.inNamespace(ns, selector).name();
    }

    static String agByNamespace(LabelSelector nsSelector, LabelSelector podSelector) {
        return GroupSelector.byNamespaceSelector(nsSelector, podSelector).name();
    }

    private final PodInfo web1 = pod("x", "web1", "n1", "10.0.0.1", Map.of("app", "web"));
    private final PodInfo web2 = pod("x", "web2", "n2", "10.0.0.2", Map.of("app", "web"));
    private final PodInfo db1 = pod("x", "db1", "n3", "10.0.0.3", Map.of("app", "db"));
    private final PodInfo dbY = pod("y", "db", "n1", "10.0.1.3", Map.of("app", "db"));

    private void startWithPodsAndPolicy() {
        List.of(web1, web2, db1, dbY).forEach(computation::upsertPod);
        computation.upsertPolicy(ingressFrom("x", "p", DB, pods(WEB)));
        computation.startPublishing();
    }

    @Test
    void nothingIsPublishedBeforeStartThenTheFullSetWithSpans() {
        List.of(web1, web2, db1, dbY).forEach(computation::upsertPod);
        computation.upsertPolicy(ingressFrom("x", "p", DB, pods(WEB)));
        assertThat(sink.calls()).isEmpty();

        computation.startPublishing();

        InternalPolicy policy = new InternalPolicy("uid-p", new PolicyRef("x", "p"), atg("x", DB), Set.of(Direction.INGRESS),
                List.of(new InternalRule(Direction.INGRESS, 0, RulePeers.of(List.of(ag("x", WEB)), List.of()),
                        List.of(RulePort.number(Protocol.TCP, 80)))));
        assertThat(sink.calls()).containsExactly(
                new Upsert(new AppliedToGroup(atg("x", DB), List.of(member(db1))), Set.of("n3")),
                new Upsert(new AddressGroup(ag("x", WEB), List.of(member(web1), member(web2))), Set.of("n3")),
                new Upsert(policy, Set.of("n3")));
    }

    @Test
    void onlyScheduledRunningPodsWithAnAddressAreMembers() {
        computation.upsertPod(pod("x", "unscheduled", null, "10.0.0.9", Map.of("app", "web")));
        computation.upsertPod(pod("x", "no-ip", "n1", null, Map.of("app", "web")));
        computation.upsertPod(new PodInfo(new PodRef("x", "done"), Map.of("app", "web"), Optional.of("n1"),
                List.of(ip("10.0.0.8")), PodPhase.SUCCEEDED, List.of()));
        computation.upsertPod(web1);
        computation.upsertPolicy(ingressFrom("x", "p", WEB, pods(WEB)));
        computation.startPublishing();

        assertThat(sink.appliedToGroups()).singleElement()
                .satisfies(g -> assertThat(g.members()).containsExactly(member(web1)));
        assertThat(sink.addressGroups()).singleElement()
                .satisfies(g -> assertThat(g.members()).containsExactly(member(web1)));
    }

    @Test
    void podSelectorAlonePicksThePolicyNamespaceNamespaceSelectorAloneEveryPodOfMatchingNamespaces() {
        List.of(web1, db1, dbY).forEach(computation::upsertPod);
        computation.upsertPolicy(ingressFrom("x", "own", WEB, pods(DB)));
        computation.upsertPolicy(ingressFrom("x", "all", WEB, namespaces(LabelSelector.EVERYTHING)));
        computation.upsertPolicy(ingressFrom("x", "both", WEB, new PeerSpec.Pods(
                Optional.of(LabelSelector.matchLabels(Map.of("ns", "y"))), Optional.of(DB))));
        computation.startPublishing();

        Map<PolicyObjectKey, RecordingSink.Current> current = sink.current();
        assertThat(members(current, ag("x", DB))).containsExactly(member(db1));
        assertThat(members(current, agByNamespace(LabelSelector.EVERYTHING, LabelSelector.EVERYTHING)))
                .containsExactly(member(db1), member(web1), member(dbY));
        assertThat(members(current, agByNamespace(LabelSelector.matchLabels(Map.of("ns", "y")), DB)))
                .containsExactly(member(dbY));
    }

    private static List<PodMember> members(Map<PolicyObjectKey, RecordingSink.Current> current, String addressGroup) {
        return ((AddressGroup) current.get(new PolicyObjectKey(PolicyObjectKey.Kind.ADDRESS_GROUP, addressGroup))
                .object()).members();
    }

    @Test
    void groupsAreSharedAndRemovedWithTheirLastPolicy() {
        startWithPodsAndPolicy();
        LabelSelector sameAsWeb = LabelSelector.of(Map.of(), List.of(new LabelRequirement("app", SelectorOperator.IN,
                new TreeSet<>(List.of("web")))));
        computation.upsertPolicy(ingressFrom("x", "q", DB, pods(WEB)));
        computation.upsertPolicy(ingressFrom("x", "r", sameAsWeb, pods(WEB)));
        assertThat(sink.appliedToGroups()).extracting(AppliedToGroup::name)
                .containsExactlyInAnyOrder(atg("x", DB), atg("x", sameAsWeb));
        assertThat(sink.addressGroups()).extracting(AddressGroup::name).containsExactly(ag("x", WEB));
        // The address group now serves n3 (p, q) and n1, n2 (r): the union of its policies' spans.
        assertThat(sink.current().get(new PolicyObjectKey(PolicyObjectKey.Kind.ADDRESS_GROUP, ag("x", WEB))).span())
                .containsExactlyInAnyOrder("n1", "n2", "n3");

        sink.drain();
        computation.deletePolicy(new PolicyRef("x", "q"));
        assertThat(sink.drain()).containsExactly(new Remove(new PolicyObjectKey(PolicyObjectKey.Kind.POLICY, "uid-q")));

        computation.deletePolicy(new PolicyRef("x", "r"));
        assertThat(sink.drain()).containsExactly(
                new Remove(new PolicyObjectKey(PolicyObjectKey.Kind.POLICY, "uid-r")),
                new Upsert(new AddressGroup(ag("x", WEB), List.of(member(web1), member(web2))), Set.of("n3")),
                new Remove(new PolicyObjectKey(PolicyObjectKey.Kind.APPLIED_TO_GROUP, atg("x", sameAsWeb))))
                .as("the shrinking address group is re-sent only after the policy using it left n1 and n2");

        computation.deletePolicy(new PolicyRef("x", "p"));
        assertThat(sink.drain()).containsExactly(
                new Remove(new PolicyObjectKey(PolicyObjectKey.Kind.POLICY, "uid-p")),
                new Remove(new PolicyObjectKey(PolicyObjectKey.Kind.APPLIED_TO_GROUP, atg("x", DB))),
                new Remove(new PolicyObjectKey(PolicyObjectKey.Kind.ADDRESS_GROUP, ag("x", WEB))));
        assertThat(sink.current()).isEmpty();
    }

    @Test
    void peerPodLabelChangeUpdatesOnlyTheAddressGroup() {
        startWithPodsAndPolicy();
        sink.drain();
        PodInfo web3 = pod("x", "web3", "n9", "10.0.0.4", Map.of("app", "web"));
        computation.upsertPod(web3);
        assertThat(sink.drain()).containsExactly(new Upsert(
                new AddressGroup(ag("x", WEB), List.of(member(web1), member(web2), member(web3))), Set.of("n3")));

        computation.upsertPod(pod("x", "web3", "n9", "10.0.0.4", Map.of("app", "other")));
        assertThat(sink.drain()).containsExactly(new Upsert(
                new AddressGroup(ag("x", WEB), List.of(member(web1), member(web2))), Set.of("n3")));
    }

    @Test
    void unrelatedChangesPublishNothing() {
        startWithPodsAndPolicy();
        sink.drain();
        computation.upsertPod(pod("x", "other", "n1", "10.0.0.7", Map.of("app", "other")));
        computation.upsertPod(pod("x", "other", "n1", "10.0.0.7", Map.of("app", "other", "v", "2")));
        computation.upsertPod(pod("y", "web", "n1", "10.0.1.7", Map.of("app", "web")));
        computation.deletePod(new PodRef("x", "other"));
        computation.deletePod(new PodRef("x", "never-existed"));
        computation.upsertNamespace(new NamespaceInfo("x", Map.of("ns", "x", "new", "label")));
        computation.upsertNamespace(new NamespaceInfo("z", Map.of()));
        computation.upsertPolicy(ingressFrom("x", "p", DB, pods(WEB)));
        computation.upsertPod(web1);
        assertThat(sink.drain()).isEmpty();
    }

    @Test
    void appliedToPodMovingChangesTheSpansOfGroupPolicyAndAddressGroup() {
        startWithPodsAndPolicy();
        sink.drain();
        PodInfo moved = pod("x", "db1", "n4", "10.0.0.30", Map.of("app", "db"));
        computation.upsertPod(moved);

        AppliedToGroup group = new AppliedToGroup(atg("x", DB), List.of(member(moved)));
        AddressGroup peers = new AddressGroup(ag("x", WEB), List.of(member(web1), member(web2)));
        InternalPolicy policy = (InternalPolicy) sink.current()
                .get(new PolicyObjectKey(PolicyObjectKey.Kind.POLICY, "uid-p")).object();
        assertThat(sink.drain()).containsExactly(
                new Upsert(group, Set.of("n3", "n4")),
                new Upsert(peers, Set.of("n3", "n4")),
                new Upsert(policy, Set.of("n4")),
                new Upsert(group, Set.of("n4")),
                new Upsert(peers, Set.of("n4")));
        assertThat(sink.view("n3")).isEmpty();
        assertThat(sink.view("n4")).containsOnlyKeys(group.key(), peers.key(), policy.key());
    }

    @Test
    void appliedToGroupGivesEachNodeOnlyItsMembers() {
        startWithPodsAndPolicy();
        PodInfo db2 = pod("x", "db2", "n1", "10.0.0.5", Map.of("app", "db"));
        computation.upsertPod(db2);
        AppliedToGroup onN1 = (AppliedToGroup) sink.view("n1")
                .get(new PolicyObjectKey(PolicyObjectKey.Kind.APPLIED_TO_GROUP, atg("x", DB)));
        assertThat(onN1.members()).containsExactly(member(db2));
        assertThat(sink.current().get(onN1.key()).span()).containsExactlyInAnyOrder("n1", "n3");
    }

    @Test
    void namespaceLabelChangeReevaluatesNamespaceSelectorGroups() {
        List.of(web1, db1, dbY).forEach(computation::upsertPod);
        LabelSelector prod = LabelSelector.matchLabels(Map.of("env", "prod"));
        computation.upsertPolicy(ingressFrom("x", "p", WEB, new PeerSpec.Pods(Optional.of(prod), Optional.of(DB))));
        computation.startPublishing();
        String name = agByNamespace(prod, DB);
        assertThat(members(sink.current(), name)).isEmpty();
        sink.drain();

        computation.upsertNamespace(new NamespaceInfo("y", Map.of("ns", "y", "env", "prod")));
        assertThat(sink.drain()).containsExactly(new Upsert(new AddressGroup(name, List.of(member(dbY))), Set.of("n1")));

        computation.deleteNamespace("y");
        assertThat(sink.drain()).containsExactly(new Upsert(new AddressGroup(name, List.of()), Set.of("n1")));
    }

    @Test
    void egressRuleWithoutPeersButWithNamedPortsTargetsAllPodsAndAllAddresses() {
        PodInfo named = new PodInfo(new PodRef("y", "dns"), Map.of(), Optional.of("n2"), List.of(ip("10.0.1.9")),
                PodPhase.RUNNING, List.of(new NamedPort("dns", Protocol.UDP, 53)));
        List.of(web1, named).forEach(computation::upsertPod);
        computation.upsertPolicy(new PolicySpec("uid-e", new PolicyRef("x", "e"), WEB, Set.of(Direction.EGRESS), List.of(),
                List.of(new RuleSpec(List.of(), List.of(RulePort.named(Protocol.UDP, "dns"))),
                        new RuleSpec(List.of(), List.of(RulePort.number(Protocol.TCP, 443))))));
        computation.startPublishing();

        String allPods = agByNamespace(LabelSelector.EVERYTHING, LabelSelector.EVERYTHING);
        InternalPolicy policy = sink.policies().get(0);
        assertThat(policy.rules()).containsExactly(
                new InternalRule(Direction.EGRESS, 0, RulePeers.of(List.of(allPods), List.of(
                        IpBlock.of(IpPrefix.parse("0.0.0.0/0")), IpBlock.of(IpPrefix.parse("::/0")))),
                        List.of(RulePort.named(Protocol.UDP, "dns"))),
                new InternalRule(Direction.EGRESS, 1, RulePeers.ANY, List.of(RulePort.number(Protocol.TCP, 443))));
        assertThat(members(sink.current(), allPods)).containsExactly(member(web1), member(named));
    }

    @Test
    void recreatedPolicyWithANewUidReplacesTheOldObject() {
        startWithPodsAndPolicy();
        sink.drain();
        PolicySpec old = ingressFrom("x", "p", DB, pods(WEB));
        computation.upsertPolicy(new PolicySpec("uid-new", old.ref(), old.podSelector(), old.isolates(), old.ingress(),
                old.egress()));
        List<RecordingSink.Call> calls = sink.drain();
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0)).isInstanceOfSatisfying(Upsert.class,
                u -> assertThat(u.object().key().name()).isEqualTo("uid-new"));
        assertThat(calls.get(1)).isEqualTo(new Remove(new PolicyObjectKey(PolicyObjectKey.Kind.POLICY, "uid-p")));
    }

    @Test
    void policyEditSwitchingPeersPublishesNewGroupFirstAndRemovesTheOldLast() {
        startWithPodsAndPolicy();
        sink.drain();
        computation.upsertPolicy(ingressFrom("x", "p", DB, pods(LabelSelector.EVERYTHING)));
        List<RecordingSink.Call> calls = sink.drain();
        assertThat(calls).hasSize(3);
        assertThat(calls.get(0)).isEqualTo(new Upsert(new AddressGroup(ag("x", LabelSelector.EVERYTHING),
                List.of(member(db1), member(web1), member(web2))), Set.of("n3")));
        assertThat(calls.get(1)).isInstanceOfSatisfying(Upsert.class, u -> assertThat(((InternalPolicy) u.object())
                .addressGroups()).containsExactly(ag("x", LabelSelector.EVERYTHING)));
        assertThat(calls.get(2)).isEqualTo(new Remove(new PolicyObjectKey(PolicyObjectKey.Kind.ADDRESS_GROUP,
                ag("x", WEB))));
    }

    @Test
    void aPolicyReusingAnotherPolicysUidIsRejectedAndChangesNothing() {
        startWithPodsAndPolicy();
        sink.drain();
        PolicySpec clash = new PolicySpec("uid-p", new PolicyRef("y", "other"), DB, Set.of(Direction.INGRESS), List.of(),
                List.of());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> computation.upsertPolicy(clash))
                .hasMessageContaining("uid-p");
        assertThat(sink.drain()).isEmpty();
    }
}
