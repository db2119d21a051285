package io.trellis.controller.agentapi;

import static java.util.Objects.requireNonNull;

import io.trellis.controlplane.policy.AppliedToGroup;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import io.trellis.controlplane.policy.PolicyObjectSink;
import io.trellis.controlplane.stream.StreamEvent;
import io.trellis.controlplane.stream.StreamEventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy objects with their spans, turned into one event sequence per node, with a bounded
 * history so that a reconnecting agent gets only what it missed.
 * <p>
 * Every sink call gets the next number of one global counter; the events it causes (at most one per
 * node) carry the resource version {@code <epoch>.<number>}. The epoch is random per instance, so a
 * version from before a controller restart (or from another replica, whose numbering differs) is
 * recognised as unknown and answered with a snapshot. A node's history folds each object's events
 * into its latest one (at most {@code historyPerNode} objects): a resuming agent needs only the newest
 * state of what changed since its resume point, sent as Added or Modified depending on whether it held
 * the object then (known from the object's Added/Deleted events, which are kept as numbers), and a
 * Deleted only for an object it held. Memory is thus bounded by objects, not by changes: an address
 * group of 10,000 pods growing pod by pod would otherwise keep a thousand copies of itself (and their
 * JSON) per node. A resume point older than the latest event of an object evicted for space gets a
 * snapshot.
 * <p>
 * All state is guarded by {@code this}: the sink thread and the stream threads meet here.
 */
final class NodeEventLog implements PolicyObjectSink {
    private static final Logger LOG = LoggerFactory.getLogger(NodeEventLog.class);

    private final String epoch = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    private final int historyPerNode;
    private final int queueLimit;
    private final Map<PolicyObjectKey, Entry> objects = new HashMap<>();
    private final Map<String, Set<PolicyObjectKey>> byNode = new HashMap<>();
    private final Map<String, NodeHistory> histories = new HashMap<>();
    private final Map<String, Set<Subscription>> subscriptions = new HashMap<>();
    private long counter;

    /**
     * @param historyPerNode events kept per node for resuming
     * @param queueLimit     events a stream may fall behind before it is cut (its agent reconnects and resumes)
     */
    NodeEventLog(int historyPerNode, int queueLimit) {
        if (historyPerNode < 1 || queueLimit < 1) {
            throw new IllegalArgumentException("history and queue limit must be positive, got " + historyPerNode
                    + ", " + queueLimit);
        }
        this.historyPerNode = historyPerNode;
        this.queueLimit = queueLimit;
    }

    @Override
    public synchronized void upsert(PolicyObject object, Set<String> span) {
        requireNonNull(object, "object");
        Set<String> newSpan = Set.copyOf(requireNonNull(span, "span"));
        PolicyObjectKey key = object.key();
        Entry old = objects.get(key);
        Set<String> oldSpan = old == null ? Set.of() : old.span();
        String version = nextVersion();
        Set<String> nodes = new LinkedHashSet<>(oldSpan);
        nodes.addAll(newSpan);
        if (object instanceof AppliedToGroup) {
            // Each node gets its own members: compare and send per node.
            Map<String, PolicyObject> oldViews = old == null ? Map.of() : views(old.object(), oldSpan);
            Map<String, PolicyObject> newViews = views(object, newSpan);
            for (String node : nodes) {
                PolicyObject before = oldViews.get(node);
                PolicyObject after = newViews.get(node);
                if (before == null) {
                    emit(node, key, new Outgoing(new StreamEvent.Added(version, after)));
                    byNode.computeIfAbsent(node, n -> new HashSet<>()).add(key);
                } else if (after == null) {
                    emit(node, key, new Outgoing(new StreamEvent.Deleted(version, key)));
                    forget(node, key);
                } else if (!before.equals(after)) {
                    emit(node, key, new Outgoing(new StreamEvent.Modified(version, after)));
                }
            }
        } else {
            // Every node gets the same object: compare once, and share each event (and its JSON) among nodes.
            boolean changed = old == null || !old.object().equals(object);
            Outgoing added = new Outgoing(new StreamEvent.Added(version, object));
            Outgoing modified = new Outgoing(new StreamEvent.Modified(version, object));
            Outgoing deleted = new Outgoing(new StreamEvent.Deleted(version, key));
            for (String node : nodes) {
                boolean before = oldSpan.contains(node);
                boolean after = newSpan.contains(node);
                if (!before) {
                    emit(node, key, added);
                    byNode.computeIfAbsent(node, n -> new HashSet<>()).add(key);
                } else if (!after) {
                    emit(node, key, deleted);
                    forget(node, key);
                } else if (changed) {
                    emit(node, key, modified);
                }
            }
        }
        objects.put(key, new Entry(object, newSpan));
    }

    @Override
    public synchronized void remove(PolicyObjectKey key) {
        requireNonNull(key, "key");
        Entry old = objects.remove(key);
        if (old == null) {
            LOG.debug("remove of {}, which was never published: nothing to tell the agents", key);
            return;
        }
        Outgoing deleted = new Outgoing(new StreamEvent.Deleted(nextVersion(), key));
        for (String node : old.span()) {
            emit(node, key, deleted);
            forget(node, key);
        }
    }

    /**
     * A new stream for {@code node}: its queue starts with the events after {@code from} when the
     * history still has all of them, else with a snapshot.
     */
    synchronized Subscription subscribe(String node, Optional<String> from) {
        Subscription s = new Subscription(node);
        Optional<List<Outgoing>> missed = from.flatMap(v -> missedSince(node, v));
        if (missed.isPresent()) {
            s.queue.addAll(missed.get());
        } else {
            s.queue.add(new Outgoing(snapshot(node)));
        }
        subscriptions.computeIfAbsent(node, n -> new HashSet<>()).add(s);
        return s;
    }

    synchronized void unsubscribe(Subscription s) {
        Set<Subscription> set = subscriptions.get(s.node);
        if (set != null) {
            set.remove(s);
            if (set.isEmpty()) {
                subscriptions.remove(s.node);
            }
        }
        s.end();
    }

    /** Ends every stream (their agents reconnect elsewhere or later). */
    synchronized void endAll() {
        subscriptions.values().forEach(set -> set.forEach(Subscription::end));
        subscriptions.clear();
    }

    synchronized String currentVersion() {
        return epoch + "." + counter;
    }

    /** What {@code node} holds now (for tests and diagnostics). */
    synchronized StreamEvent.Snapshot snapshot(String node) {
        List<PolicyObject> list = new ArrayList<>();
        for (PolicyObjectKey key : byNode.getOrDefault(node, Set.of())) {
            list.add(views(objects.get(key).object(), Set.of(node)).get(node));
        }
        list.sort((a, b) -> a.key().toString().compareTo(b.key().toString()));
        return new StreamEvent.Snapshot(currentVersion(), list);
    }

    private Optional<List<Outgoing>> missedSince(String node, String version) {
        int dot = version.lastIndexOf('.');
        if (dot < 0 || !version.substring(0, dot).equals(epoch)) {
            return Optional.empty();
        }
        long seen;
        try {
            seen = Long.parseLong(version.substring(dot + 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        NodeHistory history = histories.get(node);
        long droppedUpTo = history == null ? 0 : history.droppedUpTo;
        if (seen < droppedUpTo || seen > counter || seen < 0) {
            return Optional.empty();
        }
        List<Outgoing> out = new ArrayList<>();
        if (history != null) {
            for (Folded f : history.folded.values()) {
                if (f.latest.number() > seen) {
                    f.asSeenFrom(seen).ifPresent(out::add);
                }
            }
        }
        return Optional.of(out);
    }

    private String nextVersion() {
        counter++;
        return epoch + "." + counter;
    }

    private void emit(String node, PolicyObjectKey key, Outgoing event) {
        NodeHistory history = histories.computeIfAbsent(node, n -> new NodeHistory());
        // Remove first so that the object moves to the end: the map stays in the order of latest events.
        Folded folded = history.folded.remove(key);
        if (folded == null) {
            folded = new Folded(!(event.event() instanceof StreamEvent.Added));
        }
        folded.add(new Numbered(counter, event));
        history.folded.put(key, folded);
        if (history.folded.size() > historyPerNode) {
            Iterator<Folded> oldest = history.folded.values().iterator();
            history.droppedUpTo = oldest.next().latest.number();
            oldest.remove();
        }
        for (Subscription s : subscriptions.getOrDefault(node, Set.of())) {
            s.offer(event, queueLimit);
        }
    }

    private void forget(String node, PolicyObjectKey key) {
        Set<PolicyObjectKey> keys = byNode.get(node);
        if (keys != null) {
            keys.remove(key);
            if (keys.isEmpty()) {
                byNode.remove(node);
            }
        }
    }

    /**
     * The object as each node in {@code span} receives it: an applied-to group holds only the node's
     * own members (grouped once, not filtered per node: a group may span thousands of nodes).
     */
    private static Map<String, PolicyObject> views(PolicyObject object, Set<String> span) {
        Map<String, PolicyObject> out = new HashMap<>();
        if (object instanceof AppliedToGroup group) {
            Map<String, List<PodMember>> members = new HashMap<>();
            for (PodMember m : group.members()) {
                if (span.contains(m.node())) {
                    members.computeIfAbsent(m.node(), n -> new ArrayList<>()).add(m);
                }
            }
            for (String node : span) {
                out.put(node, new AppliedToGroup(group.name(), members.getOrDefault(node, List.of())));
            }
        } else {
            span.forEach(node -> out.put(node, object));
        }
        return out;
    }

    private record Entry(PolicyObject object, Set<String> span) {
    }

    private record Numbered(long number, Outgoing event) {
    }

    /**
     * An event on its way to one or more streams, with its JSON line made once, by the first stream
     * thread that sends it (an address group's change goes to every node of its span).
     */
    static final class Outgoing {
        private final StreamEvent event;
        private String line;

        Outgoing(StreamEvent event) {
            this.event = requireNonNull(event, "event");
        }

        StreamEvent event() {
            return event;
        }

        synchronized String line(StreamEventCodec codec) {
            if (line == null) {
                line = codec.encode(event);
            }
            return line;
        }
    }

    /**
     * One object's events for one node since it (last) entered the history: the latest event, whether
     * the node held the object before the first of them, and the numbers of the Added/Deleted events
     * among them, which say whether the node held it at any later point.
     */
    private static final class Folded {
        private final boolean heldBefore;
        /** Added (+number) and Deleted (-number) events, in order. */
        private final List<Long> transitions = new ArrayList<>();
        private Numbered latest;

        Folded(boolean heldBefore) {
            this.heldBefore = heldBefore;
        }

        void add(Numbered event) {
            StreamEvent e = event.event().event();
            if (e instanceof StreamEvent.Added) {
                transitions.add(event.number());
            } else if (e instanceof StreamEvent.Deleted) {
                transitions.add(-event.number());
            }
            latest = event;
        }

        /** What an agent that saw every event up to {@code seen} must receive for this object, if anything. */
        Optional<Outgoing> asSeenFrom(long seen) {
            boolean held = heldBefore;
            for (long t : transitions) {
                if (Math.abs(t) > seen) {
                    break;
                }
                held = t > 0;
            }
            StreamEvent event = latest.event().event();
            String version = event.resourceVersion();
            if (event instanceof StreamEvent.Deleted) {
                return held ? Optional.of(latest.event()) : Optional.empty();
            }
            PolicyObject object = event instanceof StreamEvent.Added a ? a.object() : ((StreamEvent.Modified) event).object();
            boolean sentAsAdded = event instanceof StreamEvent.Added;
            if (sentAsAdded != held) {
                return Optional.of(latest.event());
            }
            return Optional.of(new Outgoing(held ? new StreamEvent.Modified(version, object)
                    : new StreamEvent.Added(version, object)));
        }
    }

    private static final class NodeHistory {
        /** Each object's folded events, in the order of their latest event. */
        final LinkedHashMap<PolicyObjectKey, Folded> folded = new LinkedHashMap<>();
        long droppedUpTo;
    }

    /** One agent stream's queue: filled under the log's lock, drained by the stream's thread. */
    final class Subscription {
        private final String node;
        private final LinkedBlockingDeque<Outgoing> queue = new LinkedBlockingDeque<>();
        private volatile boolean ended;

        private Subscription(String node) {
            this.node = node;
        }

        String node() {
            return node;
        }

        private void offer(Outgoing event, int limit) {
            if (ended) {
                return;
            }
            if (queue.size() >= limit) {
                // The agent reads too slowly: cut it; it reconnects and resumes (or gets a snapshot).
                LOG.warn("agent stream of node {} is {} events behind: closing it", node, queue.size());
                end();
                return;
            }
            queue.add(event);
        }

        private void end() {
            ended = true;
            queue.clear();
            // Wakes the stream thread if it waits.
            queue.add(new Outgoing(new StreamEvent.Heartbeat("end")));
        }

        boolean ended() {
            return ended;
        }

        /**
         * The next event to send; a heartbeat when none came within {@code heartbeat}; empty when the
         * stream must end (cut for being slow, or the server closes).
         */
        Optional<Outgoing> next(Duration heartbeat) throws InterruptedException {
            Outgoing event = queue.poll(heartbeat.toNanos(), TimeUnit.NANOSECONDS);
            if (ended) {
                return Optional.empty();
            }
            if (event != null) {
                return Optional.of(event);
            }
            synchronized (NodeEventLog.this) {
                if (ended) {
                    return Optional.empty();
                }
                if (queue.isEmpty()) {
                    // Everything up to now was sent: the agent may resume from here.
                    return Optional.of(new Outgoing(new StreamEvent.Heartbeat(currentVersion())));
                }
                return Optional.of(queue.poll());
            }
        }
    }

    /** The number of objects known (spanning some node or none). */
    synchronized int size() {
        return objects.size();
    }

    synchronized Set<String> nodesWithObjects() {
        return Collections.unmodifiableSet(new HashSet<>(byNode.keySet()));
    }
}
