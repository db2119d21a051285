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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
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
 * recognised as unknown and answered with a snapshot. A node's history keeps its last
 * {@code historyPerNode} events; a resume point older than the newest event dropped from it gets a
 * snapshot too.
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
                    emit(node, new Outgoing(new StreamEvent.Added(version, after)));
                    byNode.computeIfAbsent(node, n -> new HashSet<>()).add(key);
                } else if (after == null) {
                    emit(node, new Outgoing(new StreamEvent.Deleted(version, key)));
                    forget(node, key);
                } else if (!before.equals(after)) {
                    emit(node, new Outgoing(new StreamEvent.Modified(version, after)));
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
                    emit(node, added);
                    byNode.computeIfAbsent(node, n -> new HashSet<>()).add(key);
                } else if (!after) {
                    emit(node, deleted);
                    forget(node, key);
                } else if (changed) {
                    emit(node, modified);
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
            emit(node, deleted);
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
            for (Numbered e : history.events) {
                if (e.number() > seen) {
                    out.add(e.event());
                }
            }
        }
        return Optional.of(out);
    }

    private String nextVersion() {
        counter++;
        return epoch + "." + counter;
    }

    private void emit(String node, Outgoing event) {
        NodeHistory history = histories.computeIfAbsent(node, n -> new NodeHistory());
        history.events.addLast(new Numbered(counter, event));
        if (history.events.size() > historyPerNode) {
            history.droppedUpTo = history.events.removeFirst().number();
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

    private static final class NodeHistory {
        final ArrayDeque<Numbered> events = new ArrayDeque<>();
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
