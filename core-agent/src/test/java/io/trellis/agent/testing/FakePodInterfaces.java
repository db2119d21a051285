package io.trellis.agent.testing;

import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.pod.InterfaceInfo;
import io.trellis.spi.pod.PodInterfaceDriver;
import io.trellis.spi.pod.PodInterfaceException;
import io.trellis.spi.pod.PodInterfaceRequest;
import io.trellis.spi.pod.PodInterfaces;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A pod interface driver that connects nothing: it remembers each attachment's request and answers
 * with a veth-like pair (host end {@code veth<n>}, pod end in the netns). It can be told to fail
 * attach, and it records every call and the most calls it saw at once for one attachment.
 */
public final class FakePodInterfaces implements PodInterfaceDriver {
    private final Map<List<String>, PodInterfaceRequest> attached = new ConcurrentHashMap<>();
    private final Map<List<String>, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger maxPerAttachment = new AtomicInteger();
    private final AtomicInteger maxOverall = new AtomicInteger();
    private final AtomicInteger overall = new AtomicInteger();
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private volatile Optional<String> failAttach = Optional.empty();
    private volatile long attachMillis;

    public void failAttachWith(String message) {
        failAttach = Optional.of(message);
    }

    /** Makes attach take this long, so that concurrent calls overlap. */
    public void slowAttach(long millis) {
        attachMillis = millis;
    }

    @Override
    public PodInterfaces attach(PodInterfaceRequest request) {
        List<String> key = key(request.attachment());
        enter(key);
        try {
            calls.add("attach " + key);
            if (attachMillis > 0) {
                Thread.sleep(attachMillis);
            }
            if (failAttach.isPresent()) {
                throw new PodInterfaceException(request.attachment().pod() + " " + request.attachment().ifName() + ": "
                        + failAttach.get());
            }
            attached.put(key, request);
            return interfaces(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PodInterfaceException("interrupted");
        } finally {
            leave(key);
        }
    }

    /** What {@link #attach} returns for a request: host end veth + hash, pod end with the requested or a fixed MAC. */
    public static PodInterfaces interfaces(PodInterfaceRequest request) {
        String host = "veth" + Integer.toHexString(request.attachment().containerId().hashCode() & 0xfffff);
        MacAddress podMac = request.mac().orElse(MacAddress.parse("02:00:00:00:00:05"));
        return new PodInterfaces(Optional.of(new InterfaceInfo(host, MacAddress.parse("02:00:00:00:00:01"),
                Optional.empty())), new InterfaceInfo(request.attachment().ifName(), podMac,
                Optional.of(request.netns())), request.routes());
    }

    @Override
    public void check(PodInterfaceRequest request, PodInterfaces expected) {
        calls.add("check " + key(request.attachment()));
        PodInterfaceRequest made = attached.get(key(request.attachment()));
        if (made == null) {
            throw new PodInterfaceException(request.attachment().pod() + ": not attached");
        }
        if (!made.equals(request) || !interfaces(made).equals(expected)) {
            throw new PodInterfaceException(request.attachment().pod() + ": attached as " + made + ", checked as " + request);
        }
    }

    @Override
    public void detach(PodAttachment attachment, Optional<Path> netns) {
        calls.add("detach " + key(attachment));
        attached.remove(key(attachment));
    }

    @Override
    public Set<PodAttachment> garbageCollect(Set<PodAttachment> alive) {
        Set<List<String>> keep = alive.stream().map(FakePodInterfaces::key).collect(Collectors.toSet());
        Set<PodAttachment> removed = attached.entrySet().stream().filter(e -> !keep.contains(e.getKey()))
                .map(e -> e.getValue().attachment()).collect(Collectors.toSet());
        attached.keySet().retainAll(keep);
        calls.add("gc " + keep);
        return removed;
    }

    public Map<List<String>, PodInterfaceRequest> attached() {
        return Map.copyOf(attached);
    }

    public List<String> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    public int maxConcurrentPerAttachment() {
        return maxPerAttachment.get();
    }

    public int maxConcurrentOverall() {
        return maxOverall.get();
    }

    private void enter(List<String> key) {
        int n = inFlight.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        maxPerAttachment.accumulateAndGet(n, Math::max);
        maxOverall.accumulateAndGet(overall.incrementAndGet(), Math::max);
    }

    private void leave(List<String> key) {
        inFlight.get(key).decrementAndGet();
        overall.decrementAndGet();
    }

    public static List<String> key(PodAttachment a) {
        return List.of(a.containerId(), a.ifName());
    }
}
