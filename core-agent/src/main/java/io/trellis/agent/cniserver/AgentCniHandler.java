package io.trellis.agent.cniserver;

import static java.util.Objects.requireNonNull;

import io.trellis.agent.interfacestore.AttachmentKey;
import io.trellis.agent.interfacestore.AttachmentRecord;
import io.trellis.agent.interfacestore.AttachmentStore;
import io.trellis.agent.node.PodMtu;
import io.trellis.cni.model.CniResult;
import io.trellis.cni.protocol.CniRequest;
import io.trellis.cni.server.CniHandler;
import io.trellis.cni.spec.CniError;
import io.trellis.cni.spec.CniException;
import io.trellis.spi.ipam.IpamAllocation;
import io.trellis.spi.ipam.IpamDriver;
import io.trellis.spi.model.IpAddress;
import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.pod.PodInterfaceDriver;
import io.trellis.spi.pod.PodInterfaceRequest;
import io.trellis.spi.pod.PodInterfaces;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's CNI commands, on the configured IPAM and pod interface drivers:
 * <ul>
 *   <li><b>ADD</b>: record the attachment, allocate addresses, attach the interface with a default
 *       route via each address's gateway, return interfaces, ips and routes. A failure after the
 *       allocation detaches and releases again, so no address leaks.</li>
 *   <li><b>DEL</b>: detach, then release, then forget. Idempotent: an unknown attachment or a netns
 *       that is gone is success.</li>
 *   <li><b>CHECK</b>: the prevResult still lists our interface and addresses, IPAM still holds
 *       them, and the driver finds the interface as it left it.</li>
 *   <li><b>GC</b>: everything not in the runtime's valid attachments is detached and released.</li>
 * </ul>
 * Commands for one attachment run one at a time; GC runs alone ({@link AttachmentLocks}).
 */
public final class AgentCniHandler implements CniHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCniHandler.class);

    private final IpamDriver ipam;
    private final PodInterfaceDriver pods;
    private final AttachmentStore store;
    private final PodMtu mtu;
    private final AttachmentLocks locks = new AttachmentLocks();

    @Inject
    public AgentCniHandler(IpamDriver ipam, PodInterfaceDriver pods, AttachmentStore store, PodMtu mtu) {
        this.ipam = requireNonNull(ipam, "ipam");
        this.pods = requireNonNull(pods, "pods");
        this.store = requireNonNull(store, "store");
        this.mtu = requireNonNull(mtu, "mtu");
    }

    @Override
    public CniResult add(CniRequest request) throws CniException {
        PodAttachment attachment = CniArgs.attachment(request, CniArgs.requirePod(request));
        Optional<MacAddress> mac = CniArgs.requestedMac(request);
        Path netns = Path.of(request.netns().orElseThrow());
        String what = "ADD " + describe(attachment);
        return locks.serially(AttachmentKey.of(attachment), () -> {
            Optional<AttachmentRecord> known = store.get(AttachmentKey.of(attachment));
            if (known.isPresent() && !known.get().attachment().pod().equals(attachment.pod())) {
                throw new CniException(CniError.AGENT_FAILURE, what + ": container " + attachment.containerId()
                        + " interface " + attachment.ifName() + " is already attached for pod "
                        + known.get().attachment().pod());
            }
            // Written before IPAM allocates: after a crash, GC finds the attachment and releases it.
            AttachmentRecord pending = AttachmentRecord.pending(attachment, netns);
            perform(what, "recording the attachment", () -> store.put(pending));

            IpamAllocation allocation;
            try {
                allocation = ipam.allocate(attachment);
            } catch (RuntimeException e) {
                // Nothing was allocated: drop the pending record, or put back what an earlier ADD left.
                if (known.isPresent()) {
                    perform(what, "restoring the attachment record", () -> store.put(known.get()));
                } else {
                    forgetQuietly(attachment, what);
                }
                throw failure(what, "allocating addresses", e);
            }
            List<IpAddress> addresses = allocation.addresses();
            try {
                PodInterfaceRequest podRequest = new PodInterfaceRequest(attachment, netns, addresses,
                        CniResults.defaultRoutes(addresses), mtu.value(), mac);
                PodInterfaces made = pods.attach(podRequest);
                store.put(pending.connected(made));
                CniResult result = CniResults.of(made, addresses, mtu.value());
                LOG.info("{}: {} on {} in {}", what, addresses.stream().map(IpAddress::cidr).toList(),
                        made.pod().name(), netns);
                return result;
            } catch (RuntimeException e) {
                rollBack(attachment, Optional.of(netns), what);
                throw failure(what, "attaching the pod interface", e);
            }
        });
    }

    @Override
    public void del(CniRequest request) throws CniException {
        AttachmentKey key = new AttachmentKey(request.containerId().orElseThrow(), request.ifName().orElseThrow());
        Optional<PodRef> fromArgs = CniArgs.pod(request);
        locks.serially(key, () -> {
            Optional<AttachmentRecord> record = store.get(key);
            Optional<PodRef> pod = record.map(r -> r.attachment().pod()).or(() -> fromArgs);
            if (pod.isEmpty()) {
                // The store knows every attachment the drivers hold: nothing to release.
                LOG.info("DEL {}: not attached here, nothing to do", key);
                return null;
            }
            if (record.isPresent() && fromArgs.isPresent() && !fromArgs.get().equals(pod.get())) {
                LOG.warn("DEL {}: CNI_ARGS name pod {} but the attachment belongs to {}; deleting it", key,
                        fromArgs.get(), pod.get());
            }
            PodAttachment attachment = CniArgs.attachment(request, pod.get());
            Optional<Path> netns = request.netns().map(Path::of).or(() -> record.map(AttachmentRecord::netns));
            delete("DEL " + describe(attachment), attachment, netns);
            return null;
        });
    }

    /**
     * Releases an attachment whose pod is gone from the API server (the agent's Pod GC) the way DEL
     * does: detach, release, forget, under the attachment's lock. Does nothing and returns false
     * when the store no longer holds that attachment for that pod (a DEL, or a new ADD of the
     * runtime, came first).
     */
    public boolean releaseOrphan(AttachmentRecord expected) throws CniException {
        requireNonNull(expected, "expected");
        return locks.serially(expected.key(), () -> {
            Optional<AttachmentRecord> record = store.get(expected.key());
            if (record.isEmpty() || !record.get().attachment().equals(expected.attachment())) {
                return false;
            }
            PodAttachment attachment = record.get().attachment();
            delete("pod GC " + describe(attachment), attachment, Optional.of(record.get().netns()));
            return true;
        });
    }

    /** Detach, release, forget: DEL's steps; the caller holds the attachment's lock. */
    private void delete(String what, PodAttachment attachment, Optional<Path> netns) throws CniException {
        perform(what, "detaching the pod interface", () -> pods.detach(attachment, netns));
        perform(what, "releasing addresses", () -> ipam.release(attachment));
        perform(what, "forgetting the attachment", () -> store.remove(AttachmentKey.of(attachment)));
        LOG.info("{}: done", what);
    }

    @Override
    public void check(CniRequest request) throws CniException {
        PodAttachment attachment = CniArgs.attachment(request, CniArgs.requirePod(request));
        String what = "CHECK " + describe(attachment);
        locks.serially(AttachmentKey.of(attachment), () -> {
            AttachmentRecord record = store.get(AttachmentKey.of(attachment))
                    .filter(r -> r.interfaces().isPresent())
                    .orElseThrow(() -> new CniException(CniError.UNKNOWN_CONTAINER, what + ": not attached here"));
            if (!record.attachment().pod().equals(attachment.pod())) {
                throw new CniException(CniError.AGENT_FAILURE, what + ": the attachment belongs to pod "
                        + record.attachment().pod());
            }
            IpamAllocation allocation = call(what, "reading addresses", () -> ipam.get(attachment))
                    .orElseThrow(() -> new CniException(CniError.AGENT_FAILURE, what + ": IPAM holds no address for it"));
            PodInterfaces interfaces = record.interfaces().orElseThrow();
            CniResult prev = request.prevResult().orElseThrow(() -> new CniException(CniError.INVALID_CONFIG,
                    what + ": CHECK needs a prevResult"));
            List<String> problems = CniResults.missingFrom(prev, interfaces, allocation.addresses());
            if (!problems.isEmpty()) {
                throw new CniException(CniError.AGENT_FAILURE, what + ": " + String.join("; ", problems));
            }
            Path netns = Path.of(request.netns().orElseThrow());
            PodInterfaceRequest podRequest = new PodInterfaceRequest(attachment, netns, allocation.addresses(),
                    CniResults.defaultRoutes(allocation.addresses()), mtu.value(), CniArgs.requestedMac(request));
            perform(what, "checking the pod interface", () -> pods.check(podRequest, interfaces));
            return null;
        });
    }

    @Override
    public void gc(CniRequest request) throws CniException {
        Set<AttachmentKey> valid = request.validAttachments().stream()
                .map(a -> new AttachmentKey(a.containerId(), a.ifName()))
                .collect(Collectors.toSet());
        locks.exclusively(() -> {
            Set<PodAttachment> alive = new HashSet<>();
            for (AttachmentRecord r : store.all()) {
                if (valid.contains(r.key())) {
                    alive.add(r.attachment());
                }
            }
            Set<PodAttachment> detached = call("GC", "detaching stale pod interfaces", () -> pods.garbageCollect(alive));
            Set<PodAttachment> released = call("GC", "releasing stale addresses", () -> ipam.garbageCollect(alive));
            int forgotten = 0;
            for (AttachmentRecord r : store.all()) {
                if (!valid.contains(r.key())) {
                    perform("GC", "forgetting " + r.key(), () -> store.remove(r.key()));
                    forgotten++;
                }
            }
            LOG.info("GC: {} valid attachment(s); detached {}, released {}, forgot {} record(s)", alive.size(),
                    detached.size(), released.size(), forgotten);
            return null;
        });
    }

    /** Attachments with a command running or waiting (0 when idle: no lock is kept for finished ones). */
    int attachmentsInFlight() {
        return locks.inUse();
    }

    private void rollBack(PodAttachment attachment, Optional<Path> netns, String what) {
        try {
            pods.detach(attachment, netns);
        } catch (RuntimeException e) {
            LOG.warn("{}: rollback: detaching failed: {}", what, e.getMessage());
        }
        try {
            ipam.release(attachment);
        } catch (RuntimeException e) {
            // The record stays: a DEL or GC retries the release.
            LOG.warn("{}: rollback: releasing the addresses failed: {}", what, e.getMessage());
            return;
        }
        forgetQuietly(attachment, what);
    }

    private void forgetQuietly(PodAttachment attachment, String what) {
        try {
            store.remove(AttachmentKey.of(attachment));
        } catch (RuntimeException e) {
            LOG.warn("{}: forgetting the attachment failed: {}", what, e.getMessage());
        }
    }

    private static String describe(PodAttachment a) {
        return a.pod() + " (" + a.containerId() + " " + a.ifName() + ")";
    }

    private static CniException failure(String what, String step, RuntimeException e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new CniException(new CniError(CniError.AGENT_FAILURE, what + ": " + step + ": " + msg), e);
    }

    private interface Step<T> {
        T run();
    }

    private static void perform(String what, String step, Runnable action) throws CniException {
        call(what, step, () -> {
            action.run();
            return null;
        });
    }

    private static <T> T call(String what, String step, Step<T> action) throws CniException {
        try {
            return action.run();
        } catch (RuntimeException e) {
            throw failure(what, step, e);
        }
    }
}
