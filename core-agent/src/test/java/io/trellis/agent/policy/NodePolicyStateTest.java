package io.trellis.agent.policy;

import io.trellis.controlplane.stream.RetryBackoff;
import static io.trellis.agent.policy.PolicyFixtures.OTHER_NODE;
import static io.trellis.agent.policy.PolicyFixtures.addresses;
import static io.trellis.agent.policy.PolicyFixtures.appliedTo;
import static io.trellis.agent.policy.PolicyFixtures.groups;
import static io.trellis.agent.policy.PolicyFixtures.host;
import static io.trellis.agent.policy.PolicyFixtures.ingress;
import static io.trellis.agent.policy.PolicyFixtures.local;
import static io.trellis.agent.policy.PolicyFixtures.member;
import static io.trellis.agent.policy.PolicyFixtures.policy;
import static io.trellis.agent.policy.PolicyFixtures.policyRef;
import static io.trellis.agent.policy.PolicyFixtures.port;
import static io.trellis.agent.policy.PolicyFixtures.target;
import static io.trellis.agent.policy.PolicyFixtures.NODE;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.agent.policy.RecordingEnforcer.Call;
import io.trellis.agent.policy.RecordingEnforcer.Remove;
import io.trellis.agent.policy.RecordingEnforcer.ReplaceAll;
import io.trellis.agent.policy.RecordingEnforcer.Upsert;
import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import io.trellis.controlplane.policy.RulePeers;
import io.trellis.controlplane.policy.RulePort;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.Peers;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyRule;
import io.trellis.spi.policy.PolicyStatistics;
import io.trellis.spi.policy.RuleCounters;
import io.trellis.spi.policy.Direction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodePolicyStateTest {
    private static final String ENFORCER_THREAD = "policy-enforcer-test";

    private final RecordingEnforcer enforcer = new RecordingEnforcer();
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, ENFORCER_THREAD));
    private final EnforcerSync sync = new EnforcerSync(enforcer, executor,
            new RetryBackoff(Duration.ofMillis(300), Duration.ofMillis(600)));
    private final NodePolicyState state = new NodePolicyState(NODE, sync);

    private static final PodMember A = local("x/a", "10.0.1.10");
    private static final PodMember B = local("x/b", "10.0.1.11");
    private static final PodMember REMOTE = member("x/r", OTHER_NODE, "10.0.2.10");
    private static final PodMember PEER1 = member("y/p1", OTHER_NODE, "10.0.2.1");
    private static final PodMember PEER2 = member("y/p2", OTHER_NODE, "10.0.2.2");

    private static final InternalPolicy P1 = policy("uid-1", "x/p1", "atg-a", ingress(0, groups("g1")));
    private static final InternalPolicy P2 = policy("uid-2", "x/p2", "atg-b", ingress(0, groups("g2")));
    private static final InternalPolicy P3 = policy("uid-3", "x/p3", "atg-b", ingress(0, groups("g1"),
            RulePort.number(Protocol.TCP, 80)));

    @AfterEach
    void close() {
        sync.close();
        assertThat(enforcer.overlapped()).as("two enforcer calls overlapped").isFalse();
        assertThat(enforcer.threads()).as("threads that called the enforcer").isSubsetOf(ENFORCER_THREAD);
    }

    private List<Call> calls() throws Exception {
        sync.awaitQueued();
        return enforcer.takeCalls();
    }

    private static NetworkPolicyRules rules(InternalPolicy p, List<io.trellis.spi.policy.PolicyTarget> targets,
                                            PolicyRule... ingress) {
        return new NetworkPolicyRules(p.ref(), targets, p.isolates(), List.of(ingress), List.of());
    }

    private void snapshot(PolicyObject... objects) {
        state.replaceAll(List.of(objects));
    }

    private void standardSnapshot() throws Exception {
        snapshot(appliedTo("atg-a", A), appliedTo("atg-b", B), addresses("g1", PEER1), addresses("g2", PEER2), P1, P2, P3);
        assertThat(calls()).hasSize(1).first().isInstanceOf(ReplaceAll.class);
    }

    @Test
    void snapshotGivesTheEnforcerEveryPolicyWithLocalPodsOnly() throws Exception {
        snapshot(appliedTo("atg-a", A, REMOTE), appliedTo("atg-remote", REMOTE), addresses("g1", PEER1),
                P1, policy("uid-9", "x/remote-only", "atg-remote", ingress(0, RulePeers.ANY)),
                policy("uid-8", "x/no-group", "atg-missing", ingress(0, RulePeers.ANY)));

        assertThat(calls()).containsExactly(new ReplaceAll(List.of(
                rules(P1, List.of(target("x/a", "10.0.1.10")), new PolicyRule(0, new Peers.Only(List.of(host("10.0.2.1"))),
                        List.of())))));
        assertThat(sync.awaitFirstReplaceAll(Duration.ZERO)).isTrue();
    }

    @Test
    void beforeTheFirstSnapshotTheEnforcerIsNotCalledByItself() throws Exception {
        assertThat(sync.awaitFirstReplaceAll(Duration.ofMillis(50))).isFalse();
        assertThat(calls()).isEmpty();
    }

    @Test
    void onlyPoliciesWhoseRulesChangedAreUpserted() throws Exception {
        standardSnapshot();

        state.upsert(P2);                                        // same object again
        state.upsert(appliedTo("atg-a", A));                     // same members
        state.upsert(policy("uid-3", "x/p3", "atg-b", ingress(0, groups("g1"), RulePort.number(Protocol.TCP, 80),
                RulePort.number(Protocol.TCP, 80))));            // a different object, the same rules
        assertThat(calls()).isEmpty();

        InternalPolicy p1v2 = policy("uid-1", "x/p1", "atg-a", ingress(0, groups("g1"), RulePort.number(Protocol.TCP, 22)));
        state.upsert(p1v2);

        assertThat(calls()).containsExactly(new Upsert(rules(p1v2, List.of(target("x/a", "10.0.1.10")),
                new PolicyRule(0, new Peers.Only(List.of(host("10.0.2.1"))), List.of(port(Protocol.TCP, 22))))));
    }

    @Test
    void anAddressGroupChangeTouchesOnlyThePoliciesUsingIt() throws Exception {
        standardSnapshot();

        state.upsert(addresses("g1", PEER1, PEER2));

        List<Call> calls = calls();
        assertThat(calls).extracting(c -> ((Upsert) c).policy().ref()).containsExactly(policyRef("x/p1"), policyRef("x/p3"));
        assertThat(((Upsert) calls.get(1)).policy().ingress()).containsExactly(new PolicyRule(0,
                new Peers.Only(List.of(host("10.0.2.1"), host("10.0.2.2"))), List.of(port(Protocol.TCP, 80))));

        state.upsert(addresses("g-unused", PEER1));
        state.remove(new PolicyObjectKey(PolicyObjectKey.Kind.ADDRESS_GROUP, "g2"));

        assertThat(calls()).extracting(c -> ((Upsert) c).policy()).containsExactly(
                rules(P2, List.of(target("x/b", "10.0.1.11")), new PolicyRule(0, new Peers.Only(List.of()), List.of())));
    }

    @Test
    void aGroupLosingItsLastLocalMemberRemovesItsPoliciesAndGainingOneBringsThemBack() throws Exception {
        standardSnapshot();

        state.upsert(appliedTo("atg-b", REMOTE));   // only a pod elsewhere: nothing local

        assertThat(calls()).containsExactly(new Remove(policyRef("x/p2")), new Remove(policyRef("x/p3")));

        state.upsert(appliedTo("atg-b", B));
        assertThat(calls()).extracting(c -> ((Upsert) c).policy().ref()).containsExactly(policyRef("x/p2"), policyRef("x/p3"));

        state.remove(new PolicyObjectKey(PolicyObjectKey.Kind.APPLIED_TO_GROUP, "atg-a"));
        state.remove(new PolicyObjectKey(PolicyObjectKey.Kind.POLICY, "uid-2"));
        state.remove(new PolicyObjectKey(PolicyObjectKey.Kind.POLICY, "uid-unknown"));

        assertThat(calls()).containsExactly(new Remove(policyRef("x/p1")), new Remove(policyRef("x/p2")));
        assertThat(enforcer.installed()).containsOnlyKeys(policyRef("x/p3"));
    }

    @Test
    void aSnapshotReplacesEverythingAndDropsWhatItDoesNotList() throws Exception {
        standardSnapshot();
        assertThat(enforcer.installed()).containsOnlyKeys(policyRef("x/p1"), policyRef("x/p2"), policyRef("x/p3"));

        InternalPolicy p4 = policy("uid-4", "x/p4", "atg-a", ingress(0, RulePeers.ANY));
        snapshot(appliedTo("atg-a", A), appliedTo("atg-b", B), addresses("g2", PEER2), P2, p4);

        List<Call> calls = calls();
        assertThat(calls).hasSize(1);
        assertThat(((ReplaceAll) calls.get(0)).policies()).extracting(NetworkPolicyRules::ref)
                .containsExactly(policyRef("x/p2"), policyRef("x/p4"));
        assertThat(enforcer.installed()).containsOnlyKeys(policyRef("x/p2"), policyRef("x/p4"));

        // Later events build on the new snapshot: p1's old group g1 is gone, so p1 back needs g1 again.
        state.upsert(P1);
        assertThat(calls()).containsExactly(new Upsert(rules(P1, List.of(target("x/a", "10.0.1.10")),
                new PolicyRule(0, new Peers.Only(List.of()), List.of()))));
    }

    @Test
    void aSnapshotAfterReconnectingIsPassedOnWholeEvenWhenNothingChanged() throws Exception {
        standardSnapshot();
        var before = enforcer.installed();

        snapshot(appliedTo("atg-a", A), appliedTo("atg-b", B), addresses("g1", PEER1), addresses("g2", PEER2), P1, P2, P3);

        List<Call> calls = calls();
        assertThat(calls).singleElement().isInstanceOf(ReplaceAll.class);
        assertThat(enforcer.installed()).isEqualTo(before);
    }

    @Test
    void aFailedCallIsRetriedAsReplaceAllAfterABackoffWhileTheEnforcerKeepsItsLastState() throws Exception {
        standardSnapshot();
        NetworkPolicyRules p1Before = enforcer.installed().get(policyRef("x/p1"));

        enforcer.failNext(1);
        InternalPolicy p1v2 = policy("uid-1", "x/p1", "atg-a", ingress(0, RulePeers.ANY));
        state.upsert(p1v2);
        assertThat(calls()).singleElement().isInstanceOf(Upsert.class);   // the failed one
        assertThat(enforcer.installed().get(policyRef("x/p1"))).isEqualTo(p1Before);

        // While waiting for the retry, further changes make no incremental call...
        state.remove(new PolicyObjectKey(PolicyObjectKey.Kind.POLICY, "uid-2"));
        assertThat(calls()).isEmpty();

        // ...and the retry sends the whole desired set, both changes included.
        waitFor(() -> !enforcer.calls().isEmpty(), "the retry");
        sync.awaitQueued();   // the call is recorded as it starts: let it finish
        List<Call> retry = enforcer.takeCalls();
        assertThat(retry).singleElement().isInstanceOf(ReplaceAll.class);
        assertThat(((ReplaceAll) retry.get(0)).policies()).extracting(NetworkPolicyRules::ref)
                .containsExactly(policyRef("x/p1"), policyRef("x/p3"));
        assertThat(enforcer.installed().get(policyRef("x/p1")).ingress()).containsExactly(
                new PolicyRule(0, new Peers.Any(), List.of()));

        // Back to incremental calls once the retry succeeded.
        state.upsert(P1);
        assertThat(calls()).singleElement().isInstanceOf(Upsert.class);
    }

    @Test
    void aFailingReplaceAllIsRepeatedUntilItSucceeds() throws Exception {
        enforcer.failNext(2);
        standardSnapshotAllowingFailure();

        waitFor(() -> enforcer.calls().size() >= 3, "three replaceAll attempts");
        sync.awaitQueued();
        List<Call> calls = enforcer.takeCalls();
        assertThat(calls).hasSize(3).allMatch(c -> c instanceof ReplaceAll);
        assertThat(calls.get(2)).isEqualTo(calls.get(0));
        assertThat(sync.awaitFirstReplaceAll(Duration.ofSeconds(5))).isTrue();
        assertThat(enforcer.installed()).hasSize(3);
    }

    private void standardSnapshotAllowingFailure() {
        snapshot(appliedTo("atg-a", A), appliedTo("atg-b", B), addresses("g1", PEER1), addresses("g2", PEER2), P1, P2, P3);
    }

    @Test
    void aPolicyRecreatedUnderTheSameNameIsEnforcedOnceFromItsNewestObject() throws Exception {
        standardSnapshot();

        InternalPolicy recreated = policy("uid-1b", "x/p1", "atg-a", ingress(0, RulePeers.ANY));
        state.upsert(recreated);   // the new uid arrives before the old one's removal
        assertThat(calls()).extracting(c -> ((Upsert) c).policy().ingress())
                .containsExactly(List.of(new PolicyRule(0, new Peers.Any(), List.of())));

        state.remove(P1.key());
        assertThat(calls()).isEmpty();

        state.remove(recreated.key());
        assertThat(calls()).containsExactly(new Remove(policyRef("x/p1")));
    }

    @Test
    void eventsFromSeveralThreadsReachTheEnforcerFromOneThreadWithoutOverlap() throws Exception {
        standardSnapshot();
        int threads = 4;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 50; i++) {
                    state.upsert(addresses(id % 2 == 0 ? "g1" : "g2", member("y/q" + id + "-" + i, OTHER_NODE,
                            "10.3." + id + "." + (i + 1))));
                }
            });
            w.start();
            workers.add(w);
        }
        start.countDown();
        for (Thread w : workers) {
            w.join(10_000);
        }
        calls();
        // g1's last upsert came from thread 0 or 2, g2's from thread 1 or 3: the enforcer ends on one of them
        assertThat(enforcer.installed().get(policyRef("x/p1")).ingress().get(0).peers()).isIn(
                new Peers.Only(List.of(host("10.3.0.50"))), new Peers.Only(List.of(host("10.3.2.50"))));
        assertThat(enforcer.installed().get(policyRef("x/p2")).ingress().get(0).peers()).isIn(
                new Peers.Only(List.of(host("10.3.1.50"))), new Peers.Only(List.of(host("10.3.3.50"))));
    }

    @Test
    void statisticsAreReadOnTheEnforcerThreadAndHandedOn() throws Exception {
        PolicyStatistics stats = new PolicyStatistics(List.of(new RuleCounters(policyRef("x/p1"), Direction.INGRESS, 0,
                3, 30, 3000)), List.of());
        enforcer.statisticsToReturn(stats);
        List<PolicyStatistics> seen = new CopyOnWriteArrayList<>();

        sync.reportStatistics(Duration.ofMillis(20), seen::add);

        waitFor(() -> seen.size() >= 2, "two statistics readings");
        assertThat(seen).allMatch(stats::equals);
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
