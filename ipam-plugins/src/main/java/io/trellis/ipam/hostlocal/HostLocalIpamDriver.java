package io.trellis.ipam.hostlocal;

import static java.util.Objects.requireNonNull;

import io.trellis.ipam.cidr.Cidr;
import io.trellis.ipam.cidr.IpFamily;
import io.trellis.spi.ipam.IpamAllocation;
import io.trellis.spi.ipam.IpamDriver;
import io.trellis.spi.ipam.IpamException;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodAttachment;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code host-local} IPAM driver: hands out addresses of the node's pod CIDRs (one address per family), keeps
 * every allocation in its own file in a state dir, written durably before the address is returned, and holds an
 * exclusive lock on that dir while open. Thread-safe: calls are serialised, since each one is a few file
 * operations and a node sees a few pod changes per second at most.
 */
public final class HostLocalIpamDriver implements IpamDriver, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostLocalIpamDriver.class);

    private final StateStore store;
    private final PodCidrSource podCidrs;
    private final StateDirLock dirLock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<AttachmentKey, StoredAllocation> byAttachment = new LinkedHashMap<>();
    private final Map<InetAddress, AttachmentKey> byAddress = new HashMap<>();
    private final Set<InetAddress> reservedByCorruptFiles;
    private final Map<Cidr, InetAddress> lastReserved;
    private boolean closed;

    private HostLocalIpamDriver(StateStore store, PodCidrSource podCidrs, StateDirLock dirLock, LoadedState state) {
        this.store = store;
        this.podCidrs = podCidrs;
        this.dirLock = dirLock;
        this.reservedByCorruptFiles = state.reservedByCorruptFiles();
        this.lastReserved = new HashMap<>(state.lastReserved());
        state.allocations().forEach(this::remember);
    }

    /**
     * Locks the state dir (creating it if missing), loads and validates its content.
     *
     * @throws IpamException when another process holds the dir, or a state file is corrupt (it is moved to
     *     {@code corrupt/} and named in the message) or conflicts with another
     */
    public static HostLocalIpamDriver open(Path stateDir, PodCidrSource podCidrs) {
        requireNonNull(stateDir, "stateDir");
        requireNonNull(podCidrs, "podCidrs");
        try {
            DurableFiles.ensureDirectory(stateDir);
        } catch (java.io.IOException e) {
            throw new IpamException("cannot create IPAM state dir " + stateDir + ": " + e, e);
        }
        StateDirLock dirLock = StateDirLock.acquire(stateDir);
        try {
            StateStore store = new StateStore(stateDir, new StateCodec());
            LoadedState state = store.load();
            LOG.info("host-local IPAM: {} allocation(s) loaded from {}", state.allocations().size(), stateDir);
            return new HostLocalIpamDriver(store, podCidrs, dirLock, state);
        } catch (RuntimeException e) {
            dirLock.close();
            throw e;
        }
    }

    @Override
    public IpamAllocation allocate(PodAttachment attachment) {
        requireNonNull(attachment, "attachment");
        AttachmentKey key = AttachmentKey.of(attachment);
        lock.lock();
        try {
            checkOpen();
            StoredAllocation existing = byAttachment.get(key);
            if (existing != null) {
                if (!existing.attachment().pod().equals(attachment.pod())) {
                    throw new IpamException("attachment " + key + " already holds " + existing.addressList() + " for pod "
                            + existing.attachment().pod() + ", not for pod " + attachment.pod());
                }
                return existing.toIpamAllocation();
            }
            List<HostRange> ranges = currentRanges();
            checkNoAllocationOutside(ranges);
            List<RangeAddress> addresses = new ArrayList<>();
            for (HostRange range : ranges) {
                addresses.add(new RangeAddress(range, nextFree(range)));
            }
            StoredAllocation allocation = new StoredAllocation(attachment, addresses);
            store.save(allocation);
            remember(allocation);
            addresses.forEach(a -> lastReserved.put(a.range().cidr(), a.address()));
            saveCursors();
            LOG.info("allocated {} to {} (pod {})", allocation.addressList(), key, attachment.pod());
            return allocation.toIpamAllocation();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<IpamAllocation> get(PodAttachment attachment) {
        requireNonNull(attachment, "attachment");
        lock.lock();
        try {
            checkOpen();
            return Optional.ofNullable(byAttachment.get(AttachmentKey.of(attachment))).map(StoredAllocation::toIpamAllocation);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void release(PodAttachment attachment) {
        requireNonNull(attachment, "attachment");
        lock.lock();
        try {
            checkOpen();
            StoredAllocation existing = byAttachment.get(AttachmentKey.of(attachment));
            if (existing != null) {
                releaseStored(existing);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Compares attachments by (container id, interface name), as CNI GC's valid-attachments list does. */
    @Override
    public Set<PodAttachment> garbageCollect(Set<PodAttachment> alive) {
        requireNonNull(alive, "alive");
        Set<AttachmentKey> aliveKeys = alive.stream().map(AttachmentKey::of).collect(Collectors.toSet());
        lock.lock();
        try {
            checkOpen();
            Set<PodAttachment> released = new LinkedHashSet<>();
            for (StoredAllocation allocation : List.copyOf(byAttachment.values())) {
                if (!aliveKeys.contains(allocation.key())) {
                    releaseStored(allocation);
                    released.add(allocation.attachment());
                }
            }
            if (!released.isEmpty()) {
                LOG.info("garbage collection released {} allocation(s)", released.size());
            }
            return released;
        } finally {
            lock.unlock();
        }
    }

    /** Every allocation held, in the order they were loaded or made: for the CLI and the agent's GC. */
    public List<IpamAllocation> allocations() {
        lock.lock();
        try {
            checkOpen();
            return byAttachment.values().stream().map(StoredAllocation::toIpamAllocation).toList();
        } finally {
            lock.unlock();
        }
    }

    /** Releases the state dir lock; the driver cannot be used afterwards. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                dirLock.close();
            }
        } finally {
            lock.unlock();
        }
    }

    private List<HostRange> currentRanges() {
        List<IpPrefix> prefixes = podCidrs.podCidrs();
        if (prefixes == null || prefixes.isEmpty()) {
            throw new IpamException("node has no podCIDR yet: addresses are allocated once the Node object has spec.podCIDR");
        }
        Map<IpFamily, Cidr> byFamily = new EnumMap<>(IpFamily.class);
        List<HostRange> ranges = new ArrayList<>();
        for (IpPrefix prefix : prefixes) {
            Cidr cidr = new Cidr(prefix.network(), prefix.prefixLength());
            Cidr other = byFamily.putIfAbsent(cidr.family(), cidr);
            if (other != null) {
                throw new IpamException("node has two " + cidr.family() + " pod CIDRs, " + other + " and " + cidr
                        + "; expected at most one per family");
            }
            try {
                ranges.add(new HostRange(cidr));
            } catch (IllegalArgumentException e) {
                throw new IpamException(e.getMessage(), e);
            }
        }
        ranges.sort(Comparator.comparing(r -> r.cidr().family()));
        return ranges;
    }

    /**
     * Addresses are only handed out from the current pod CIDRs while no allocation holds an address of another
     * CIDR: renumbering live pods is not IPAM's call, and mixing two CIDRs of a family on one node would break the
     * routes other nodes have for this node's pods. Releasing the old allocations (CNI DEL, GC) unblocks it.
     */
    private void checkNoAllocationOutside(List<HostRange> ranges) {
        Set<Cidr> current = new HashSet<>();
        ranges.forEach(r -> current.add(r.cidr()));
        Map<Cidr, List<StoredAllocation>> stale = new LinkedHashMap<>();
        for (StoredAllocation allocation : byAttachment.values()) {
            for (RangeAddress a : allocation.addresses()) {
                if (!current.contains(a.range().cidr())) {
                    stale.computeIfAbsent(a.range().cidr(), c -> new ArrayList<>()).add(allocation);
                }
            }
        }
        if (stale.isEmpty()) {
            return;
        }
        Map.Entry<Cidr, List<StoredAllocation>> first = stale.entrySet().iterator().next();
        Cidr old = first.getKey();
        StoredAllocation example = first.getValue().get(0);
        String now = ranges.stream().filter(r -> r.cidr().family() == old.family()).map(r -> r.cidr().toString())
                .findFirst().orElse("absent");
        throw new IpamException("the node's " + old.family() + " pod CIDR changed from " + old + " to " + now + " while "
                + first.getValue().size() + " allocation(s) hold addresses of " + old + " (e.g. " + example.addressList()
                + " for pod " + example.attachment().pod() + "); no address is allocated until they are released"
                + " (CNI DEL or garbage collection)");
    }

    private InetAddress nextFree(HostRange range) {
        long allocated = byAddress.keySet().stream().filter(range::isUsable).count();
        long reserved = reservedByCorruptFiles.stream().filter(range::isUsable).count();
        BigInteger inUse = BigInteger.valueOf(allocated + reserved);
        Optional<InetAddress> free = inUse.compareTo(range.usableCount()) >= 0 ? Optional.empty()
                : range.nextFree(Optional.ofNullable(lastReserved.get(range.cidr())),
                        a -> byAddress.containsKey(a) || reservedByCorruptFiles.contains(a));
        return free.orElseThrow(() -> new IpamException("pod CIDR " + range.cidr() + " is exhausted: all "
                + range.usableCount() + " usable addresses are in use (" + allocated + " allocated"
                + (reserved == 0 ? "" : ", " + reserved + " held by corrupt state files in "
                        + store.stateDir().resolve(StateStore.CORRUPT_DIR))
                + ")"));
    }

    private void releaseStored(StoredAllocation allocation) {
        store.remove(allocation);
        byAttachment.remove(allocation.key());
        allocation.addresses().forEach(a -> byAddress.remove(a.address()));
        LOG.info("released {} of {} (pod {})", allocation.addressList(), allocation.key(), allocation.attachment().pod());
    }

    private void remember(StoredAllocation allocation) {
        byAttachment.put(allocation.key(), allocation);
        allocation.addresses().forEach(a -> byAddress.put(a.address(), allocation.key()));
    }

    private void saveCursors() {
        try {
            store.saveCursors(lastReserved);
        } catch (IpamException e) {
            // The allocation is already durable; a stale cursor only means a released address may come back sooner.
            LOG.warn("round-robin position not saved: {}", e.getMessage());
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IpamException("host-local IPAM driver on " + store.stateDir() + " is closed");
        }
    }

    @Override
    public String toString() {
        return "host-local IPAM on " + store.stateDir();
    }

}
