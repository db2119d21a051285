package io.trellis.iptables.bridge;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.Errno;
import io.trellis.netlink.NetlinkException;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.route.Address;
import io.trellis.netlink.route.Link;
import io.trellis.netlink.route.LinkSpec;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.route.Rtm;
import io.trellis.netlink.route.VethSpec;
import io.trellis.netlink.sys.SyscallException;
import io.trellis.spi.model.IpAddress;
import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.Route;
import io.trellis.spi.pod.InterfaceInfo;
import io.trellis.spi.pod.PodInterfaceDriver;
import io.trellis.spi.pod.PodInterfaceException;
import io.trellis.spi.pod.PodInterfaceRequest;
import io.trellis.spi.pod.PodInterfaces;
import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code linux-bridge} backend's {@link PodInterfaceDriver}: each attachment is a veth pair whose pod
 * end is created directly inside the pod's namespace (named {@code CNI_IFNAME}, with its MAC, MTU,
 * addresses and routes) and whose host end ({@link HostVethNaming#hostInterface}) is a port of the
 * node's bridge ({@link BridgeNode}) in hairpin mode: a pod that reaches itself through a Service comes
 * back out of the port it left by, which the bridge otherwise never does.
 *
 * <p>Each attachment has a record in the state directory ({@link AttachmentStore}), written before the
 * veth exists and removed after it is gone, so after an agent restart detach and garbage collection
 * find every attachment, and a crashed attach is collected like any dead one.
 *
 * <p>Thread-safe: calls for different attachments touch different links and records; node setup is
 * serialised in {@link BridgeNode}.
 */
public final class LinuxBridgePodInterfaceDriver implements PodInterfaceDriver, AutoCloseable {

    /** How long one iptables command may take. */
    static final Duration IPTABLES_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(LinuxBridgePodInterfaceDriver.class);

    private final NodeNamespace node;
    private final BridgeNode bridge;
    private final AttachmentStore store;
    private volatile boolean closed;

    private LinuxBridgePodInterfaceDriver(NodeNamespace node, BridgeNode bridge, AttachmentStore store) {
        this.node = node;
        this.bridge = bridge;
        this.store = store;
    }

    /**
     * Sets the node up ({@link BridgeNode#bringUp}) and returns the driver, which owns {@code node} from
     * now on (closed by {@link #close()}, or here on failure).
     *
     * @param podCidr  this node's IPv4 pod CIDR
     * @param fixedMtu the configured pod MTU, when fixed (the bridge gets it); empty with {@code mtu: auto}
     * @param stateDir the backend's state directory, which survives agent restarts
     */
    static LinuxBridgePodInterfaceDriver start(BridgeSettings settings, io.trellis.spi.model.IpPrefix podCidr,
            OptionalInt fixedMtu, Path stateDir, NodeNamespace node) {
        requireNonNull(settings, "settings");
        requireNonNull(podCidr, "podCidr");
        requireNonNull(fixedMtu, "fixedMtu");
        requireNonNull(stateDir, "stateDir");
        requireNonNull(node, "node");
        try {
            BridgeNode bridge = new BridgeNode(settings, podCidr, fixedMtu, node, IptablesRunner.in(node, IPTABLES_TIMEOUT));
            bridge.bringUp();
            LinuxBridgePodInterfaceDriver driver = new LinuxBridgePodInterfaceDriver(node, bridge, new AttachmentStore(stateDir));
            LOG.info("linux-bridge pod driver started with {} recorded attachments", driver.attachments().size());
            return driver;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** The attachments recorded in the state directory (what a restarted agent finds). */
    public Set<PodAttachment> attachments() {
        Set<PodAttachment> out = new LinkedHashSet<>();
        store.list().forEach(r -> out.add(r.attachment()));
        return Set.copyOf(out);
    }

    BridgeNode bridge() {
        return bridge;
    }

    public boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ attach

    @Override
    public PodInterfaces attach(PodInterfaceRequest request) {
        requireNonNull(request, "request");
        PodAttachment attachment = request.attachment();
        Step step = new Step(attachment);
        Inet4Address first = step.run("checking the addresses", () -> firstIpv4(request.addresses()));
        MacAddress mac = request.mac().orElseGet(() -> HostVethNaming.macFor(first));
        String host = HostVethNaming.hostInterface(attachment);
        AttachmentRecord wanted = new AttachmentRecord(attachment, host, request.netns(),
                AttachmentRecord.cidrs(request.addresses()), mac, request.mtu());

        Optional<PodInterfaces> existing = step.run("looking for an earlier attachment", () -> alreadyAttached(request, wanted));
        if (existing.isPresent()) {
            LOG.info("{}: already attached as {}, unchanged", describe(attachment), host);
            return existing.get();
        }
        step.run("preparing bridge " + bridge.bridgeName(), this::bridgeReady);
        // Recorded first: if the agent dies before the veth is complete, GC still finds and removes it.
        step.act("recording the attachment in " + store.directory(), () -> store.write(wanted));
        boolean created = false;
        try (NetNamespace podNs = step.run("opening netns " + request.netns(), () -> node.openNamespace(request.netns()));
             RtNetlink inPod = step.run("opening rtnetlink in " + request.netns(), () -> node.openIn(podNs))) {
            String ifName = attachment.ifName();
            step.act("creating veth " + host + " <-> " + ifName + " in " + request.netns(), () ->
                    node.rtnl().links().createVeth(new VethSpec(LinkSpec.named(host).withMtu(request.mtu()),
                            LinkSpec.named(ifName).inNamespace(podNs).withMtu(request.mtu())
                                    .withMac(new io.trellis.netlink.route.MacAddress(mac.value())))));
            created = true;
            int index = step.run("looking up " + ifName, () -> inPod.links().require(ifName).index());
            for (IpAddress address : request.addresses()) {
                step.act("adding address " + address.cidr(), () -> inPod.addresses().add(index,
                        new io.trellis.netlink.route.IpPrefix(address.address(), address.prefixLength())));
            }
            step.act("setting " + ifName + " up", () -> inPod.links().setUp(ifName));
            for (Route route : request.routes()) {
                step.act("adding route " + route, () -> inPod.routes().add(toNetlink(route, index)));
            }
            step.act("adding " + host + " to bridge " + bridge.bridgeName(),
                    () -> node.rtnl().links().setMaster(host, bridge.bridgeName()));
            step.act("turning hairpin mode on for " + host, () -> node.rtnl().bridgePorts().setHairpin(host, true));
            step.act("setting " + host + " up", () -> node.rtnl().links().setUp(host));
            MacAddress hostMac = step.run("reading the MAC of " + host, () -> MacAddress.of(
                    node.rtnl().links().require(host).mac().orElseThrow(
                            () -> new IllegalStateException(host + " has no MAC address")).octets()));
            LOG.info("{}: attached {} on {} {} {}", describe(attachment), host, bridge.bridgeName(),
                    AttachmentRecord.cidrs(request.addresses()), mac);
            return interfaces(request, host, hostMac, mac);
        } catch (PodInterfaceException e) {
            rollback(attachment, host, created, e);
            throw e;
        }
    }

    /** The bridge is there and up (someone may have deleted it); else the whole node setup again. */
    private Void bridgeReady() {
        Optional<Link> link = node.rtnl().links().get(bridge.bridgeName());
        if (link.isEmpty() || !link.get().isUp() || !link.get().kind().map("bridge"::equals).orElse(false)) {
            LOG.warn("bridge {} is missing or down in netns {}; setting the node up again", bridge.bridgeName(),
                    node.description());
            bridge.bringUp();
        }
        return null;
    }

    /** An intact attachment as requested (a repeated ADD) gives the same result; a stale or damaged one is removed. */
    private Optional<PodInterfaces> alreadyAttached(PodInterfaceRequest request, AttachmentRecord wanted) {
        String host = wanted.hostInterface();
        Optional<AttachmentRecord> recorded;
        try {
            recorded = store.read(host);
        } catch (RuntimeException e) {
            LOG.warn("{}: unreadable record of {} ({}); replacing it", describe(request.attachment()), host, e.getMessage());
            recorded = Optional.empty();
        }
        Optional<Link> hostLink = node.rtnl().links().get(host);
        if (recorded.isEmpty() && hostLink.isEmpty()) {
            return Optional.empty();
        }
        if (recorded.isPresent() && recorded.get().equals(wanted) && hostLink.isPresent()) {
            MacAddress hostMac = MacAddress.of(hostLink.get().mac().orElseThrow().octets());
            PodInterfaces result = interfaces(request, host, hostMac, wanted.mac());
            try {
                check(request, result);
                return Optional.of(result);
            } catch (PodInterfaceException e) {
                LOG.warn("{}: earlier attachment is damaged ({}); recreating it", describe(request.attachment()),
                        e.getMessage());
            }
        } else {
            LOG.warn("{}: removing the stale veth/record {} of an earlier attachment", describe(request.attachment()), host);
        }
        detach(request.attachment(), Optional.empty());
        return Optional.empty();
    }

    private void rollback(PodAttachment attachment, String host, boolean created, PodInterfaceException cause) {
        try {
            if (created) {
                deleteLinkIfPresent(host); // the pod end goes with it
            }
            store.delete(host);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
            LOG.warn("{}: rollback after a failed attach incomplete: {}", describe(attachment), e.getMessage());
        }
    }

    private static PodInterfaces interfaces(PodInterfaceRequest request, String host, MacAddress hostMac, MacAddress podMac) {
        return new PodInterfaces(Optional.of(new InterfaceInfo(host, hostMac, Optional.empty())),
                new InterfaceInfo(request.attachment().ifName(), podMac, Optional.of(request.netns())), request.routes());
    }

    // ------------------------------------------------------------------ check

    @Override
    public void check(PodInterfaceRequest request, PodInterfaces attached) {
        requireNonNull(request, "request");
        requireNonNull(attached, "attached");
        PodAttachment attachment = request.attachment();
        String host = HostVethNaming.hostInterface(attachment);
        String ifName = attachment.ifName();
        Step step = new Step(attachment);

        if (attached.host().isEmpty() || !attached.host().get().name().equals(host)) {
            throw step.fail("the recorded host interface " + attached.host().map(InterfaceInfo::name).orElse("(none)")
                    + " is not this attachment's " + host);
        }
        AttachmentRecord record = step.run("reading the record of " + host, () -> store.read(host))
                .orElseThrow(() -> step.fail("no record of " + host + " in " + store.directory()));
        if (!record.attachment().containerId().equals(attachment.containerId()) || !record.attachment().ifName().equals(ifName)) {
            throw step.fail(host + " is recorded for " + describe(record.attachment()));
        }
        Link br = step.run("looking up bridge " + bridge.bridgeName(), () -> node.rtnl().links().get(bridge.bridgeName()))
                .orElseThrow(() -> step.fail("bridge " + bridge.bridgeName() + " is missing"));
        if (!br.isUp()) {
            throw step.fail("bridge " + bridge.bridgeName() + " is down");
        }
        boolean gatewayPresent = step.run("listing the addresses of " + bridge.bridgeName(),
                () -> node.rtnl().addresses().listOn(br.index())).stream()
                .anyMatch(a -> a.prefix().address().equals(bridge.gateway())
                        && a.prefix().prefixLength() == bridge.podCidr().prefixLength());
        if (!gatewayPresent) {
            throw step.fail("bridge " + bridge.bridgeName() + " lacks the gateway address "
                    + bridge.gateway().getHostAddress() + "/" + bridge.podCidr().prefixLength());
        }
        Link hostLink = step.run("looking up " + host, () -> node.rtnl().links().get(host))
                .orElseThrow(() -> step.fail("host interface " + host + " is missing"));
        if (!hostLink.isUp()) {
            throw step.fail("host interface " + host + " is down");
        }
        if (hostLink.masterIndex().orElse(-1) != br.index()) {
            throw step.fail("host interface " + host + " is not a port of bridge " + bridge.bridgeName());
        }
        if (hostLink.mtu() != request.mtu()) {
            throw step.fail("host interface " + host + " has MTU " + hostLink.mtu() + ", expected " + request.mtu());
        }
        if (!io.trellis.netlink.route.BridgePortMessages.hairpin(hostLink).orElse(false)) {
            throw step.fail("host interface " + host + " is not in hairpin mode");
        }

        try (NetNamespace podNs = step.run("opening netns " + request.netns(), () -> node.openNamespace(request.netns()));
             RtNetlink inPod = step.run("opening rtnetlink in " + request.netns(), () -> node.openIn(podNs))) {
            Link link = step.run("looking up " + ifName, () -> inPod.links().get(ifName))
                    .orElseThrow(() -> step.fail(ifName + " is missing in " + request.netns()));
            MacAddress actualMac = link.mac().map(m -> MacAddress.of(m.octets()))
                    .orElseThrow(() -> step.fail(ifName + " has no MAC"));
            if (!actualMac.equals(attached.pod().mac())) {
                throw step.fail(ifName + " has MAC " + actualMac + ", expected " + attached.pod().mac());
            }
            if (link.mtu() != request.mtu()) {
                throw step.fail(ifName + " has MTU " + link.mtu() + ", expected " + request.mtu());
            }
            if (!link.isUp()) {
                throw step.fail(ifName + " is down");
            }
            List<Address> addresses = step.run("listing addresses", () -> inPod.addresses().listOn(link.index()));
            for (IpAddress wanted : request.addresses()) {
                boolean present = addresses.stream().anyMatch(a -> a.prefix().address().equals(wanted.address())
                        && a.prefix().prefixLength() == wanted.prefixLength());
                if (!present) {
                    throw step.fail(ifName + " lacks address " + wanted.cidr());
                }
            }
            for (Route wanted : request.routes()) {
                int family = wanted.destination().isIpv4() ? Rtm.AF_INET : Rtm.AF_INET6;
                List<io.trellis.netlink.route.Route> routes = step.run("listing routes", () -> inPod.routes().list(family));
                boolean present = routes.stream().anyMatch(r -> r.destination().address().equals(wanted.destination().network())
                        && r.destination().prefixLength() == wanted.destination().prefixLength()
                        && r.gateway().equals(wanted.gateway())
                        && r.outputIndex().orElse(-1) == link.index());
                if (!present) {
                    throw step.fail("route " + wanted + " dev " + ifName + " is missing");
                }
            }
        }
    }

    // ------------------------------------------------------------------ detach

    @Override
    public void detach(PodAttachment attachment, Optional<Path> netns) {
        requireNonNull(attachment, "attachment");
        requireNonNull(netns, "netns");
        String host = HostVethNaming.hostInterface(attachment);
        Step step = new Step(attachment);
        // Deleting the host end removes the pod end with it, whatever namespace that is in, so the netns
        // is not needed (and may be gone).
        boolean deleted = step.run("deleting veth " + host, () -> deleteLinkIfPresent(host));
        step.act("removing the record of " + host, () -> store.delete(host));
        LOG.info("{}: detached {}", describe(attachment), deleted ? host : host + " (already gone)");
    }

    // ------------------------------------------------------------------ garbage collection

    @Override
    public Set<PodAttachment> garbageCollect(Set<PodAttachment> alive) {
        requireNonNull(alive, "alive");
        Set<String> aliveHosts = new HashSet<>();
        alive.forEach(a -> aliveHosts.add(HostVethNaming.hostInterface(a)));
        Set<PodAttachment> removed = new LinkedHashSet<>();
        Set<String> recorded = new HashSet<>();
        List<String> failures = new ArrayList<>();
        for (AttachmentRecord record : store.list()) {
            recorded.add(record.hostInterface());
            if (aliveHosts.contains(record.hostInterface())) {
                continue;
            }
            try {
                detach(record.attachment(), Optional.of(record.netns()));
                removed.add(record.attachment());
            } catch (PodInterfaceException e) {
                failures.add(e.getMessage());
            }
        }
        // Ports of ours without a record (a record deleted by hand): no attachment to report, but not alive either.
        Optional<Link> br = node.rtnl().links().get(bridge.bridgeName());
        if (br.isPresent()) {
            for (Link link : node.rtnl().links().list()) {
                boolean port = link.masterIndex().orElse(-1) == br.get().index();
                String name = link.name();
                if (port && HostVethNaming.isHostInterface(name) && !recorded.contains(name) && !aliveHosts.contains(name)) {
                    try {
                        deleteLinkIfPresent(name);
                        LOG.warn("garbage collection removed {}, a pod port of bridge {} without a record", name,
                                bridge.bridgeName());
                    } catch (RuntimeException e) {
                        failures.add("deleting unrecorded port " + name + ": " + e.getMessage());
                    }
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new PodInterfaceException("garbage collection removed " + removed.size() + " attachments but failed for "
                    + failures.size() + ": " + String.join("; ", failures));
        }
        return Set.copyOf(removed);
    }

    /** Closes the netlink socket; bridge, veths, rules and records stay, so pods keep forwarding. */
    @Override
    public void close() {
        closed = true;
        node.close();
    }

    // ------------------------------------------------------------------ helpers

    private static Inet4Address firstIpv4(List<IpAddress> addresses) {
        List<String> other = addresses.stream().filter(a -> !(a.address() instanceof Inet4Address)).map(IpAddress::cidr).toList();
        if (!other.isEmpty()) {
            throw new IllegalArgumentException("the linux-bridge backend supports IPv4 pod addresses only for now, got "
                    + other);
        }
        return (Inet4Address) addresses.get(0).address();
    }

    private static io.trellis.netlink.route.Route toNetlink(Route route, int index) {
        var destination = new io.trellis.netlink.route.IpPrefix(route.destination().network(),
                route.destination().prefixLength());
        return route.gateway().map(gw -> io.trellis.netlink.route.Route.via(destination, gw, index))
                .orElseGet(() -> io.trellis.netlink.route.Route.onLink(destination, index));
    }

    /** Deletes a node link; false when it was not there. */
    private boolean deleteLinkIfPresent(String name) {
        try {
            node.rtnl().links().delete(name);
            return true;
        } catch (NetlinkException e) {
            if (e.is(Errno.ENODEV)) {
                return false;
            }
            throw e;
        }
    }

    static String describe(PodAttachment attachment) {
        return attachment.pod() + " " + attachment.ifName() + " (container " + attachment.containerId() + ")";
    }

    /** One step of an operation on an attachment: any failure becomes a PodInterfaceException naming both. */
    private static final class Step {
        private final PodAttachment attachment;

        Step(PodAttachment attachment) {
            this.attachment = attachment;
        }

        <T> T run(String what, Supplier<T> action) {
            try {
                return action.get();
            } catch (PodInterfaceException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new PodInterfaceException(prefix() + what + ": " + message(e), e);
            }
        }

        void act(String what, Runnable action) {
            run(what, () -> {
                action.run();
                return null;
            });
        }

        PodInterfaceException fail(String what) {
            return new PodInterfaceException(prefix() + what);
        }

        private String prefix() {
            return attachment.pod() + " " + attachment.ifName() + ": ";
        }

        private static String message(RuntimeException e) {
            if (e instanceof SyscallException || e instanceof NetlinkException) {
                return e.getMessage();
            }
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }
}
