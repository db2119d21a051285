package io.trellis.controller.agentapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.controlplane.policy.AddressGroup;
import io.trellis.controlplane.policy.AppliedToGroup;
import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import io.trellis.controlplane.stream.StreamEvent;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.PolicyRef;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The per-node event sequences, checked against a brute-force model: after random upserts (with
 * random spans and members) and removals, every node's replayed stream, every resumed stream and
 * every snapshot equal "the objects whose span holds the node, applied-to groups cut to its members".
 */
class NodeEventLogTest {
    private static final List<String> NODES = List.of("n1", "n2", "n3", "n4");

    private final Random random = new Random(20261126L);

    private PodMember member(int i) {
        try {
            return new PodMember(new PodRef("x", "p" + i), NODES.get(i % NODES.size()),
                    List.of(InetAddress.getByName("10.244.0." + (i + 1))), List.of());
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private List<PodMember> randomMembers() {
        List<PodMember> out = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            if (random.nextInt(3) == 0) {
                out.add(member(i));
            }
        }
        return out;
    }

    private Set<String> randomSpan() {
        Set<String> span = new HashSet<>();
        NODES.forEach(n -> {
            if (random.nextBoolean()) {
                span.add(n);
            }
        });
        return span;
    }

    private record Published(PolicyObject object, Set<String> span) {
    }

    /** One random change, applied to the log and to the model. */
    private void randomChange(NodeEventLog log, Map<PolicyObjectKey, Published> model) {
        int which = random.nextInt(3);
        String name = "o" + random.nextInt(4);
        if (random.nextInt(5) == 0) {
            PolicyObjectKey key = new PolicyObjectKey(which == 0 ? PolicyObjectKey.Kind.APPLIED_TO_GROUP
                    : which == 1 ? PolicyObjectKey.Kind.ADDRESS_GROUP : PolicyObjectKey.Kind.POLICY, name);
            log.remove(key);
            model.remove(key);
            return;
        }
        PolicyObject object;
        Set<String> span;
        if (which == 0) {
            List<PodMember> members = randomMembers();
            object = new AppliedToGroup(name, members);
            span = new HashSet<>();
            members.forEach(m -> span.add(m.node()));
        } else if (which == 1) {
            object = new AddressGroup(name, randomMembers());
            span = randomSpan();
        } else {
            object = new InternalPolicy(name, new PolicyRef("x", name), "g" + random.nextInt(2),
                    EnumSet.of(random.nextBoolean() ? Direction.INGRESS : Direction.EGRESS), List.of());
            span = randomSpan();
        }
        log.upsert(object, span);
        model.put(object.key(), new Published(object, span));
    }

    private static Map<PolicyObjectKey, PolicyObject> expected(Map<PolicyObjectKey, Published> model, String node) {
        Map<PolicyObjectKey, PolicyObject> out = new HashMap<>();
        model.forEach((key, p) -> {
            if (p.span().contains(node)) {
                out.put(key, p.object() instanceof AppliedToGroup g ? g.onNode(node) : p.object());
            }
        });
        return out;
    }

    /** Applies everything queued so far; whether a snapshot was among it. */
    private static boolean drain(NodeEventLog.Subscription s, Map<PolicyObjectKey, PolicyObject> state)
            throws InterruptedException {
        return drain(s, state, false);
    }

    /**
     * As above; {@code resumed}: the events come from the folded history, where an object changed A to B
     * and back to A since the resume point arrives as a Modified to A (harmless: agents upsert).
     */
    private static boolean drain(NodeEventLog.Subscription s, Map<PolicyObjectKey, PolicyObject> state, boolean resumed)
            throws InterruptedException {
        boolean snapshot = false;
        while (true) {
            StreamEvent event = s.next(Duration.ofMillis(1)).orElseThrow().event();
            if (event instanceof StreamEvent.Heartbeat) {
                return snapshot;
            }
            if (event instanceof StreamEvent.Snapshot snap) {
                snapshot = true;
                state.clear();
                snap.objects().forEach(o -> state.put(o.key(), o));
            } else if (event instanceof StreamEvent.Added a) {
                assertThat(state).as("ADDED for an object the node has").doesNotContainKey(a.object().key());
                state.put(a.object().key(), a.object());
            } else if (event instanceof StreamEvent.Modified m) {
                assertThat(state).as("MODIFIED for an object the node lacks").containsKey(m.object().key());
                if (!resumed) {
                    assertThat(state.get(m.object().key())).as("MODIFIED without a change").isNotEqualTo(m.object());
                }
                state.put(m.object().key(), m.object());
            } else if (event instanceof StreamEvent.Deleted d) {
                assertThat(state).as("DELETED for an object the node lacks").containsKey(d.key());
                state.remove(d.key());
            }
        }
    }

    @Test
    void liveResumedAndSnapshotViewsMatchABruteForceModel() throws Exception {
        for (int round = 0; round < 20; round++) {
            NodeEventLog log = new NodeEventLog(10_000, 100_000);
            Map<PolicyObjectKey, Published> model = new HashMap<>();
            Map<String, NodeEventLog.Subscription> live = new HashMap<>();
            Map<String, Map<PolicyObjectKey, PolicyObject>> liveState = new HashMap<>();
            for (String node : NODES) {
                live.put(node, log.subscribe(node, Optional.empty()));
                liveState.put(node, new HashMap<>());
            }
            for (int i = 0; i < 40; i++) {
                randomChange(log, model);
            }
            Map<String, StreamEvent.Snapshot> middle = new HashMap<>();
            NODES.forEach(n -> middle.put(n, log.snapshot(n)));
            for (String node : NODES) {
                Map<PolicyObjectKey, PolicyObject> atMiddle = new HashMap<>();
                middle.get(node).objects().forEach(o -> atMiddle.put(o.key(), o));
                assertThat(atMiddle).isEqualTo(expected(model, node));
            }
            for (int i = 0; i < 40; i++) {
                randomChange(log, model);
            }

            for (String node : NODES) {
                Map<PolicyObjectKey, PolicyObject> want = expected(model, node);
                assertThat(drain(live.get(node), liveState.get(node))).isTrue(); // the initial (empty) snapshot
                assertThat(liveState.get(node)).as("live stream of " + node).isEqualTo(want);

                Map<PolicyObjectKey, PolicyObject> resumed = new HashMap<>();
                middle.get(node).objects().forEach(o -> resumed.put(o.key(), o));
                NodeEventLog.Subscription again = log.subscribe(node, Optional.of(middle.get(node).resourceVersion()));
                assertThat(drain(again, resumed, true)).as("resuming needs no snapshot").isFalse();
                assertThat(resumed).as("resumed stream of " + node).isEqualTo(want);

                Map<PolicyObjectKey, PolicyObject> fresh = new HashMap<>();
                assertThat(drain(log.subscribe(node, Optional.empty()), fresh)).isTrue();
                assertThat(fresh).isEqualTo(want);
            }
        }
    }

    @Test
    void unknownOrTooOldResumePointsGetASnapshot() throws Exception {
        NodeEventLog log = new NodeEventLog(2, 100);
        Map<PolicyObjectKey, Published> model = new HashMap<>();
        String start = log.currentVersion();
        for (int i = 0; i < 30; i++) {
            randomChange(log, model);
        }
        for (String from : List.of(start, "someotherepoch.3", "garbage", log.currentVersion() + "0")) {
            Map<PolicyObjectKey, PolicyObject> state = new HashMap<>();
            assertThat(drain(log.subscribe("n1", Optional.of(from)), state)).as(from).isTrue();
            assertThat(state).isEqualTo(expected(model, "n1"));
        }
        Map<PolicyObjectKey, PolicyObject> current = expected(model, "n1");
        Map<PolicyObjectKey, PolicyObject> state = new HashMap<>(current);
        assertThat(drain(log.subscribe("n1", Optional.of(log.currentVersion())), state)).isFalse();
        assertThat(state).isEqualTo(current);
    }

    @Test
    void aStreamThatFallsTooFarBehindIsEnded() throws Exception {
        NodeEventLog log = new NodeEventLog(100, 3);
        NodeEventLog.Subscription slow = log.subscribe("n1", Optional.empty());
        for (int i = 0; i < 5; i++) {
            log.upsert(new AddressGroup("g" + i, List.of()), Set.of("n1"));
        }
        assertThat(slow.ended()).isTrue();
        assertThat(slow.next(Duration.ofMillis(1))).isEmpty();
    }

    @Test
    void anObjectChangedManyTimesTakesOneHistoryPlaceAndResumesWithItsLatestState() throws Exception {
        NodeEventLog log = new NodeEventLog(2, 1000);
        String start = log.currentVersion();
        log.upsert(new AddressGroup("other", List.of(member(0))), Set.of("n1"));
        String from = log.currentVersion();
        String versionAfterFirstG = null;
        for (int i = 1; i <= 50; i++) {
            log.upsert(new AddressGroup("g", List.of(member(0), member(i))), Set.of("n1"));
            if (i == 1) {
                versionAfterFirstG = log.currentVersion();
            }
        }

        // Two places hold "other" and "g" (its 50 versions coalesced): resuming from before them needs no
        // snapshot and brings only g's latest state.
        NodeEventLog.Subscription resumed = log.subscribe("n1", Optional.of(from));
        List<StreamEvent> events = new ArrayList<>();
        while (true) {
            StreamEvent event = resumed.next(Duration.ofMillis(1)).orElseThrow().event();
            if (event instanceof StreamEvent.Heartbeat) {
                break;
            }
            events.add(event);
        }
        // The agent never had g: one Added with the latest members.
        assertThat(events).singleElement().isInstanceOfSatisfying(StreamEvent.Added.class, a ->
                assertThat(a.object()).isEqualTo(new AddressGroup("g", List.of(member(0), member(50)))));
        // An agent that saw g's first version gets a Modified instead.
        NodeEventLog.Subscription fromFirst = log.subscribe("n1", Optional.of(versionAfterFirstG));
        StreamEvent first = fromFirst.next(Duration.ofMillis(1)).orElseThrow().event();
        assertThat(first).isInstanceOfSatisfying(StreamEvent.Modified.class, m ->
                assertThat(m.object()).isEqualTo(new AddressGroup("g", List.of(member(0), member(50)))));
        assertThat(fromFirst.next(Duration.ofMillis(1)).orElseThrow().event()).isInstanceOf(StreamEvent.Heartbeat.class);

        // A third object evicts the oldest place ("other"'s event): a resume point from before "other" needs a
        // snapshot; one just after it does not.
        log.upsert(new AddressGroup("third", List.of()), Set.of("n1"));
        Map<PolicyObjectKey, PolicyObject> state = new HashMap<>();
        assertThat(drain(log.subscribe("n1", Optional.of(start)), state)).as("snapshot").isTrue();
        assertThat(state).containsOnlyKeys(new AddressGroup("other", List.of()).key(),
                new AddressGroup("g", List.of()).key(), new AddressGroup("third", List.of()).key());
        Map<PolicyObjectKey, PolicyObject> afterOther = new HashMap<>();
        assertThat(drain(log.subscribe("n1", Optional.of(from)), afterOther)).as("no snapshot").isFalse();
        assertThat(afterOther).containsOnlyKeys(new AddressGroup("g", List.of()).key(),
                new AddressGroup("third", List.of()).key());
    }
}
