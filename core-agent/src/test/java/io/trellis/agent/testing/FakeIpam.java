package io.trellis.agent.testing;

import io.trellis.spi.ipam.IpamAllocation;
import io.trellis.spi.ipam.IpamDriver;
import io.trellis.spi.ipam.IpamException;
import io.trellis.spi.model.IpAddress;
import io.trellis.spi.model.PodAttachment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** In-memory IPAM handing out 10.244.1.2, .3, ... with gateway 10.244.1.1, keyed by (container id, interface). */
public final class FakeIpam implements IpamDriver {
    private final Map<List<String>, IpamAllocation> allocations = new LinkedHashMap<>();
    private int next = 2;
    private int limit = 254;

    /** Makes allocations beyond {@code count} addresses fail as an exhausted range would. */
    public synchronized void limitTo(int count) {
        limit = 1 + count;
    }

    @Override
    public synchronized IpamAllocation allocate(PodAttachment attachment) {
        IpamAllocation existing = allocations.get(key(attachment));
        if (existing != null) {
            return existing;
        }
        if (next > limit) {
            throw new IpamException("pod CIDR 10.244.1.0/24 is exhausted");
        }
        IpamAllocation made = new IpamAllocation(attachment, List.of(new IpAddress(ip("10.244.1." + next++), 24,
                Optional.of(ip("10.244.1.1")))));
        allocations.put(key(attachment), made);
        return made;
    }

    @Override
    public synchronized Optional<IpamAllocation> get(PodAttachment attachment) {
        return Optional.ofNullable(allocations.get(key(attachment)));
    }

    @Override
    public synchronized void release(PodAttachment attachment) {
        allocations.remove(key(attachment));
    }

    @Override
    public synchronized Set<PodAttachment> garbageCollect(Set<PodAttachment> alive) {
        Set<List<String>> keep = alive.stream().map(FakeIpam::key).collect(Collectors.toSet());
        Set<PodAttachment> released = allocations.entrySet().stream().filter(e -> !keep.contains(e.getKey()))
                .map(e -> e.getValue().attachment()).collect(Collectors.toSet());
        allocations.keySet().retainAll(keep);
        return released;
    }

    public synchronized List<IpamAllocation> allocations() {
        return new ArrayList<>(allocations.values());
    }

    private static List<String> key(PodAttachment a) {
        return List.of(a.containerId(), a.ifName());
    }

    static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
