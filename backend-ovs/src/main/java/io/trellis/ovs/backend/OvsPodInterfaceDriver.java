package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.Errno;
import io.trellis.netlink.NetlinkException;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.route.Address;
import io.trellis.netlink.route.LinkSpec;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.route.Rtm;
import io.trellis.netlink.route.VethSpec;
import io.trellis.netlink.sys.SyscallException;
import io.trellis.ovs.openflow.client.ConnectionState;
import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.client.OpenFlowClientConfig;
import io.trellis.ovs.ovsdb.DatapathType;
import io.trellis.ovs.ovsdb.InterfaceInfo;
import io.trellis.ovs.ovsdb.InterfaceType;
import io.trellis.ovs.ovsdb.OpenVSwitchDatabase;
import io.trellis.ovs.ovsdb.OvsdbClient;
import io.trellis.ovs.ovsdb.OvsdbClientOptions;
import io.trellis.ovs.ovsdb.PortInfo;
import io.trellis.ovs.ovsdb.PortSpec;
import io.trellis.ovs.pipeline.FlowLine;
import io.trellis.ovs.pipeline.Ipv4Subnet;
import io.trellis.ovs.pipeline.LocalPod;
import io.trellis.ovs.pipeline.CookieScheme;
import io.trellis.ovs.pipeline.NodeNetwork;
import io.trellis.ovs.pipeline.Pipeline;
import io.trellis.ovs.pipeline.PipelineFlows;
import io.trellis.ovs.pipeline.PipelineInstaller;
import io.trellis.ovs.policy.OvsPolicyEnforcer;
import io.trellis.ovs.service.OvsServiceProxy;
import io.trellis.ovs.transport.Endpoint;
import io.trellis.ovs.transport.NettyTransport;
import io.trellis.spi.model.IpAddress;
import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.TunnelType;
import io.trellis.spi.model.Route;
import io.trellis.spi.pod.PodInterfaceDriver;
import io.trellis.spi.pod.PodInterfaceException;
import io.trellis.spi.pod.PodInterfaceRequest;
import io.trellis.spi.pod.PodInterfaces;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OVS backend's {@link PodInterfaceDriver}: each attachment is a veth pair whose pod end is
 * created directly inside the pod's namespace (named {@code CNI_IFNAME}, with its MAC, MTU,
 * addresses and routes) and whose host end ({@link PodPortNaming#hostInterface}) is a port of the
 * integration bridge, carrying a {@link PodPortRecord} in its external_ids, with the pod's flows
 * installed by the {@link PipelineInstaller}.
 *
 * <p>OVSDB is the driver's only record: at {@link #start} it reads the ports back, rebuilds the
 * pods, and replaces the whole pipeline atomically, so running pods keep forwarding across agent
 * restarts and stale flows disappear. The state directory is not needed.
 *
 * <p>Thread-safe; calls for different attachments may run concurrently. Flow changes are
 * serialised so a per-pod bundle never interleaves with a full reinstall.
 */
public final class OvsPodInterfaceDriver implements PodInterfaceDriver, AutoCloseable {

    /** How long one OVSDB or OpenFlow step, or waiting for OVS to pick up a port, may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(OvsPodInterfaceDriver.class);

    private final OvsSettings settings;
    /** The overlay driver sharing this driver's connections, once asked for; re-applied after resyncs. */
    private volatile OvsNodeRouteDriver overlay;
    /** The NetworkPolicy enforcer sharing this driver's connection and installer, once asked for. */
    private OvsPolicyEnforcer policies;
    /** The Service proxy sharing this driver's connection and installer, once asked for. */
    private volatile OvsServiceProxy services;
    private final NodeNetlink netlink;
    private final NettyTransport transport;
    private final OvsdbClient ovsdb;
    private final OpenVSwitchDatabase db;
    private final OpenFlowClient openflow;
    private final PipelineInstaller installer;
    private final OvsNodeSetup nodeSetup;
    private final Ipv4Subnet podCidr;
    private final Duration timeout;
    /** Re-runs node setup and the full install after OVS comes back; one at a time, off the Netty loop. */
    private final ExecutorService resyncs;
    /** Replaced on resync: a restarted ovs-vswitchd may give the gateway another OpenFlow port. */
    private volatile NodeNetwork node;
    /** Attached pods by host interface name (the OVS port). */
    private final Map<String, AttachedPod> pods = new ConcurrentHashMap<>();
    private final Object flowLock = new Object();
    private volatile boolean closed;

    /** A pod this driver has attached: its OVSDB record and OpenFlow port. */
    private record AttachedPod(PodPortRecord record, int ofport) {
        LocalPod localPod() {
            return new LocalPod(record.attachment().pod() + " " + record.attachment().ifName(), ofport, record.ip(),
                    io.trellis.ovs.openflow.match.MacAddress.parse(record.mac().toString()));
        }
    }

    private OvsPodInterfaceDriver(OvsSettings settings, NodeNetlink netlink, NettyTransport transport,
            OvsdbClient ovsdb, OpenFlowClient openflow, PipelineInstaller installer, OvsNodeSetup nodeSetup,
            Ipv4Subnet podCidr, NodeNetwork node, Duration timeout) {
        this.settings = settings;
        this.netlink = netlink;
        this.transport = transport;
        this.ovsdb = ovsdb;
        this.db = new OpenVSwitchDatabase(ovsdb);
        this.openflow = openflow;
        this.installer = installer;
        this.nodeSetup = nodeSetup;
        this.podCidr = podCidr;
        this.node = node;
        this.timeout = timeout;
        this.resyncs = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "trellis-ovs-resync");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects to OVS, brings up the bridge and gateway ({@link OvsNodeSetup}), reads back the pods
     * attached before (external_ids of the bridge's ports), and installs the full pipeline for them
     * in one bundle. Takes ownership of {@code netlink}, closed by {@link #close()} (or here on failure).
     *
     * @throws IllegalStateException naming the step that failed (OVS unreachable, bridge not usable...)
     */
    public static OvsPodInterfaceDriver start(OvsSettings settings, Ipv4Subnet podCidr, NodeNetlink netlink,
            Duration timeout) {
        requireNonNull(settings, "settings");
        requireNonNull(podCidr, "podCidr");
        requireNonNull(netlink, "netlink");
        requireNonNull(timeout, "timeout");
        NettyTransport transport = new NettyTransport(1, "trellis-ovs");
        OvsdbClient ovsdb = null;
        OpenFlowClient openflow = null;
        try {
            ovsdb = new OvsdbClient(transport, new Endpoint.Unix(settings.ovsdbSocket()), OvsdbClientOptions.DEFAULT);
            Await.result(ovsdb.connect(), timeout, "connect to ovsdb-server at " + settings.ovsdbSocket());
            OpenVSwitchDatabase db = new OpenVSwitchDatabase(ovsdb);
            OvsNodeSetup nodeSetup = new OvsNodeSetup(settings, db, netlink, timeout);
            NodeNetwork node = nodeSetup.bringUp(podCidr);

            openflow = connectOpenFlow(transport, settings, timeout);
            PipelineInstaller installer = new PipelineInstaller(openflow, pipelineFlows());
            OvsPodInterfaceDriver driver = new OvsPodInterfaceDriver(settings, netlink, transport, ovsdb, openflow,
                    installer, nodeSetup, podCidr, node, timeout);
            driver.recover();
            openflow.addConnectionListener(driver::connectionChanged);
            return driver;
        } catch (RuntimeException e) {
            closeQuietly(openflow);
            closeQuietly(ovsdb);
            closeQuietly(transport);
            closeQuietly(netlink);
            throw e;
        }
    }

    /**
     * The pipeline this driver installs: always with the SERVICE_LB and NetworkPolicy stages, whether or
     * not the agent also uses this backend's Service proxy or policy enforcer (the driver starts before it could know, and
     * changing the pipeline later would renumber the tables under running pods). Without a proxy
     * the stage holds only its miss flow and conntrack's lookup applies no NAT, so pod traffic is
     * forwarded as by the plain pipeline, one table lookup more.
     */
    public static PipelineFlows pipelineFlows() {
        return new PipelineFlows(Pipeline.withPolicy(), CookieScheme.DEFAULT, PipelineFlows.DEFAULT_CT_ZONE);
    }

    /** The node's gateway and pod CIDR as the pipeline sees them. */
    public NodeNetwork node() {
        return node;
    }

    /** The pods currently attached, as the pipeline sees them. */
    public List<LocalPod> localPods() {
        return pods.values().stream().map(AttachedPod::localPod).toList();
    }

    public PipelineInstaller installer() {
        return installer;
    }

    /**
     * The Geneve overlay on this driver's bridge, sharing its OVSDB and OpenFlow connections and its
     * installer (whose full installs, here at recovery and resync, then include the overlay flows).
     */
    public synchronized OvsNodeRouteDriver nodeRouteDriver(TunnelType tunnelType) {
        requireNonNull(tunnelType, "tunnelType");
        if (overlay == null) {
            TunnelUnderlay underlay = settings.datapathType() == DatapathType.NETDEV
                    ? new NetdevUplink(new UplinkBridge(db, netlink, settings.uplinkBridge(), timeout),
                            settings.uplinkBridge(), settings.uplinkInterface(), netlink)
                    : TunnelUnderlay.KERNEL;
            overlay = new OvsNodeRouteDriver(db, installer, settings.integrationBridge(), tunnelType, underlay, netlink,
                    this::node, timeout);
        }
        return overlay;
    }

    /**
     * The Service proxy on this driver's OpenFlow connection and installer for the node
     * {@code nodeName} (the local endpoints of {@code Local} traffic policies), created on first
     * call: the full installs at recovery and resync (ovs-vswitchd restart) write its Services'
     * groups and flows in the same bundle as the pipeline. Its host side
     * ({@link ServiceHostNetwork}: node-port DNAT, routes of external, load-balancer and cluster
     * IPs into the gateway) is in this driver's node namespace, put back after a resync.
     */
    public synchronized OvsServiceProxy serviceProxy(String nodeName) {
        requireNonNull(nodeName, "nodeName");
        if (services == null) {
            services = OvsServiceProxy.sharing(installer, timeout, Optional.of(nodeName),
                    ServiceHostNetwork.inNode(netlink, OvsNodeSetup.GATEWAY_PORT, timeout));
        }
        return services;
    }

    /**
     * The NetworkPolicy enforcer on this driver's OpenFlow connection and installer, created on first
     * call: full installs (recovery, resync) write its flows in the same bundle as the pipeline.
     */
    public synchronized OvsPolicyEnforcer policyEnforcer() {
        if (policies == null) {
            policies = OvsPolicyEnforcer.sharing(installer, timeout);
        }
        return policies;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ attach

    @Override
    public PodInterfaces attach(PodInterfaceRequest request) {
        requireNonNull(request, "request");
        PodAttachment attachment = request.attachment();
        Step step = new Step(attachment);
        Inet4Address ip = step.run("choosing the pod address", () -> singleIpv4(request.addresses()));
        MacAddress mac = request.mac().orElseGet(() -> PodPortNaming.macFor(ip));
        String host = PodPortNaming.hostInterface(attachment);
        PodPortRecord record = new PodPortRecord(attachment, host, request.netns(), ip, mac);

        Optional<PodInterfaces> existing = step.run("looking for an earlier attachment", () -> alreadyAttached(request, record));
        if (existing.isPresent()) {
            LOG.info("{}: already attached as {}, unchanged", describe(attachment), host);
            return existing.get();
        }

        Integer ofport = null;
        boolean created = false;
        try (NetNamespace podNs = step.run("opening netns " + request.netns(), () -> netlink.openNamespace(request.netns()));
             RtNetlink inPod = step.run("opening rtnetlink in " + request.netns(), () -> netlink.openIn(podNs))) {
            io.trellis.netlink.route.MacAddress podMac = new io.trellis.netlink.route.MacAddress(mac.value());
            step.act("creating veth " + host + " <-> " + attachment.ifName() + " in " + request.netns(), () -> {
                netlink.node().links().createVeth(new VethSpec(LinkSpec.named(host).withMtu(request.mtu()),
                        LinkSpec.named(attachment.ifName()).inNamespace(podNs).withMtu(request.mtu()).withMac(podMac)));
            });
            created = true;
            int index = step.run("looking up " + attachment.ifName(), () -> inPod.links().require(attachment.ifName()).index());
            for (IpAddress address : request.addresses()) {
                step.act("adding address " + address.cidr(), () -> inPod.addresses().add(index,
                        new io.trellis.netlink.route.IpPrefix(address.address(), address.prefixLength())));
            }
            step.act("setting " + attachment.ifName() + " up", () -> inPod.links().setUp(attachment.ifName()));
            for (Route route : request.routes()) {
                step.act("adding route " + route, () -> inPod.routes().add(toNetlink(route, index)));
            }
            if (settings.datapathType() == DatapathType.NETDEV) {
                step.act("turning TX checksum offload off on " + attachment.ifName(),
                        () -> netlink.ethtool().setTxChecksum(podNs, attachment.ifName(), false));
            }
            step.act("keeping the node's IP stack off " + host, () -> netlink.isolateFromNodeStack(host));
            step.act("setting " + host + " up", () -> netlink.node().links().setUp(host));
            io.trellis.netlink.route.MacAddress hostMac = step.run("reading the MAC of " + host,
                    () -> netlink.node().links().require(host).mac().orElseThrow(
                            () -> new IllegalStateException(host + " has no MAC address")));

            step.run("adding port " + host + " to bridge " + settings.integrationBridge(), () -> Await.result(
                    db.addPort(settings.integrationBridge(),
                            PortSpec.of(host, InterfaceType.SYSTEM).withExternalIds(record.toExternalIds())),
                    timeout, "add port " + host));
            ofport = step.run("waiting for the OpenFlow port of " + host, () -> (int) (long) Await.result(
                    db.awaitOfport(host, timeout), timeout.plusSeconds(1), "ofport of " + host));
            AttachedPod attached = new AttachedPod(record, ofport);
            step.act("installing the flows of port " + ofport, () -> {
                synchronized (flowLock) {
                    Await.result(installer.addPod(node, attached.localPod()), timeout, "install pod flows");
                    pods.put(host, attached);
                }
            });
            LOG.info("{}: attached {} (ofport {}) {} {}", describe(attachment), host, ofport, ip.getHostAddress(), mac);
            return interfaces(request, host, MacAddress.of(hostMac.octets()), mac);
        } catch (PodInterfaceException e) {
            rollback(attachment, host, created, ofport, e);
            throw e;
        }
    }

    /** An attachment that already exists as requested (a repeated ADD) gives the same result; a stale one is removed. */
    private Optional<PodInterfaces> alreadyAttached(PodInterfaceRequest request, PodPortRecord wanted) {
        String host = wanted.hostInterface();
        Optional<InterfaceInfo> iface = Await.result(db.getInterface(host), timeout, "look up interface " + host);
        boolean vethExists = netlink.node().links().get(host).isPresent();
        if (iface.isEmpty() && !vethExists) {
            return Optional.empty();
        }
        Optional<PodPortRecord> recorded = iface.flatMap(i -> safeRecord(host, i.externalIds()));
        if (recorded.isPresent() && recorded.get().equals(wanted) && vethExists) {
            PodInterfaces result = interfaces(request, host,
                    MacAddress.of(netlink.node().links().require(host).mac().orElseThrow().octets()), wanted.mac());
            try {
                check(request, result);
                return Optional.of(result);
            } catch (PodInterfaceException e) {
                LOG.warn("{}: earlier attachment is damaged ({}); recreating it", describe(request.attachment()),
                        e.getMessage());
            }
        } else {
            LOG.warn("{}: removing a stale port/veth {} left by an earlier attachment", describe(request.attachment()), host);
        }
        detach(request.attachment(), Optional.empty());
        return Optional.empty();
    }

    private void rollback(PodAttachment attachment, String host, boolean created, Integer ofport, Exception cause) {
        try {
            if (ofport != null) {
                synchronized (flowLock) {
                    pods.remove(host);
                    Await.result(installer.removePod(ofport), timeout, "remove pod flows");
                }
            }
            Await.result(db.deletePort(settings.integrationBridge(), host), timeout, "delete port " + host);
            if (created) {
                deleteLinkIfPresent(host);
            }
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
            LOG.warn("{}: rollback after a failed attach incomplete: {}", describe(attachment), e.getMessage());
        }
    }

    private static PodInterfaces interfaces(PodInterfaceRequest request, String host, MacAddress hostMac, MacAddress podMac) {
        return new PodInterfaces(
                Optional.of(new io.trellis.spi.pod.InterfaceInfo(host, hostMac, Optional.empty())),
                new io.trellis.spi.pod.InterfaceInfo(request.attachment().ifName(), podMac, Optional.of(request.netns())),
                request.routes());
    }

    // ------------------------------------------------------------------ check

    @Override
    public void check(PodInterfaceRequest request, PodInterfaces attached) {
        requireNonNull(request, "request");
        requireNonNull(attached, "attached");
        PodAttachment attachment = request.attachment();
        String host = PodPortNaming.hostInterface(attachment);
        String ifName = attachment.ifName();
        Step step = new Step(attachment);

        if (attached.host().isEmpty() || !attached.host().get().name().equals(host)) {
            throw step.fail("the recorded host interface " + attached.host().map(h -> h.name()).orElse("(none)")
                    + " is not this attachment's " + host);
        }
        var hostLink = step.run("looking up " + host, () -> netlink.node().links().get(host));
        if (hostLink.isEmpty()) {
            throw step.fail("host interface " + host + " is missing");
        }
        if (!hostLink.get().isUp()) {
            throw step.fail("host interface " + host + " is down");
        }

        InterfaceInfo iface = step.run("looking up OVS interface " + host,
                () -> Await.result(db.getInterface(host), timeout, "look up interface " + host))
                .orElseThrow(() -> step.fail("OVS port " + host + " is missing from bridge " + settings.integrationBridge()));
        boolean onBridge = step.run("listing the ports of " + settings.integrationBridge(), () -> Await.result(
                db.listPorts(settings.integrationBridge()), timeout, "list ports")).stream()
                .map(PortInfo::name).anyMatch(host::equals);
        if (!onBridge) {
            throw step.fail("OVS port " + host + " is not on bridge " + settings.integrationBridge());
        }
        PodPortRecord record = safeRecord(host, iface.externalIds())
                .orElseThrow(() -> step.fail("OVS interface " + host + " has no trellis external_ids"));
        if (!record.attachment().containerId().equals(attachment.containerId())
                || !record.attachment().ifName().equals(ifName)) {
            throw step.fail("OVS port " + host + " belongs to " + describe(record.attachment()));
        }
        int ofport = iface.assignedOfport().map(Long::intValue)
                .orElseThrow(() -> step.fail("OVS port " + host + " has no OpenFlow port"
                        + iface.error().map(e -> ": " + e).orElse("")));

        try (NetNamespace podNs = step.run("opening netns " + request.netns(), () -> netlink.openNamespace(request.netns()));
             RtNetlink inPod = step.run("opening rtnetlink in " + request.netns(), () -> netlink.openIn(podNs))) {
            var link = step.run("looking up " + ifName, () -> inPod.links().get(ifName))
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

        LocalPod expected = new AttachedPod(record, ofport).localPod();
        List<FlowLine> wantedFlows = installer.flows().podFlows(node, expected).stream().map(FlowLine::of).toList();
        List<FlowLine> actual = step.run("reading the flows", () -> Await.result(installer.ownedFlows(), timeout,
                "dump flows"));
        Set<FlowLine> actualSet = new HashSet<>(actual);
        for (FlowLine flow : wantedFlows) {
            if (!actualSet.contains(flow)) {
                throw step.fail("flow missing on bridge " + settings.integrationBridge() + ": " + flow);
            }
        }
    }

    // ------------------------------------------------------------------ detach

    @Override
    public void detach(PodAttachment attachment, Optional<Path> netns) {
        requireNonNull(attachment, "attachment");
        requireNonNull(netns, "netns");
        String host = PodPortNaming.hostInterface(attachment);
        Step step = new Step(attachment);
        AttachedPod known = pods.get(host);
        Optional<InterfaceInfo> iface = step.run("looking up OVS interface " + host,
                () -> Await.result(db.getInterface(host), timeout, "look up interface " + host));
        Optional<Integer> ofport = iface.flatMap(InterfaceInfo::assignedOfport).map(Long::intValue)
                .or(() -> Optional.ofNullable(known).map(AttachedPod::ofport));
        ofport.ifPresent(port -> {
            synchronized (flowLock) {
                pods.remove(host);
                try {
                    Await.result(installer.removePod(port), timeout, "remove pod flows");
                } catch (RuntimeException e) {
                    // The port goes next, so the flows match nothing; the next full install drops them and
                    // a new pod on a reused port number gets its flows replaced (addPod deletes first).
                    LOG.warn("{}: could not remove the flows of port {}: {}", describe(attachment), port, e.getMessage());
                }
            }
        });
        pods.remove(host);
        step.run("deleting port " + host, () -> Await.result(db.deletePort(settings.integrationBridge(), host),
                timeout, "delete port " + host));
        // Deleting the host end removes the pod end with it, whatever namespace it is in.
        step.act("deleting veth " + host, () -> deleteLinkIfPresent(host));
        LOG.info("{}: detached {}{}", describe(attachment), host, ofport.map(p -> " (ofport " + p + ")").orElse(""));
    }

    // ------------------------------------------------------------------ garbage collection

    @Override
    public Set<PodAttachment> garbageCollect(Set<PodAttachment> alive) {
        requireNonNull(alive, "alive");
        // CNI GC lists attachments by (container id, interface name) only.
        Set<String> aliveKeys = new HashSet<>();
        alive.forEach(a -> aliveKeys.add(a.containerId() + "/" + a.ifName()));
        List<PortInfo> ports = Await.result(db.listPorts(settings.integrationBridge()), timeout, "list ports");
        Set<PodAttachment> removed = new LinkedHashSet<>();
        List<String> failures = new ArrayList<>();
        for (PortInfo port : ports) {
            Optional<PodPortRecord> record = safeRecord(port.name(), port.externalIds());
            if (record.isEmpty()) {
                continue;
            }
            PodAttachment attachment = record.get().attachment();
            if (aliveKeys.contains(attachment.containerId() + "/" + attachment.ifName())) {
                continue;
            }
            try {
                detach(attachment, Optional.of(record.get().netns()));
                removed.add(attachment);
            } catch (PodInterfaceException e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new PodInterfaceException("garbage collection removed " + removed.size() + " attachments but failed for "
                    + failures.size() + ": " + String.join("; ", failures));
        }
        return Set.copyOf(removed);
    }

    // ------------------------------------------------------------------ restart

    /**
     * Rebuilds the pods from OVSDB and replaces every flow the agent owns with the full pipeline in
     * one bundle (the overlay's flows only once the overlay driver has set its state; see
     * {@link PipelineInstaller#installKeepingOverlay}). Ports whose external_ids cannot be read are
     * left alone (logged), never deleted.
     */
    public void recover() {
        List<PortInfo> ports = Await.result(db.listPorts(settings.integrationBridge()), timeout, "list ports");
        Map<String, AttachedPod> found = new ConcurrentHashMap<>();
        for (PortInfo port : ports) {
            Optional<PodPortRecord> record = safeRecord(port.name(), port.externalIds());
            if (record.isEmpty()) {
                continue;
            }
            Optional<Long> ofport = port.interfaces().stream().findFirst().flatMap(InterfaceInfo::assignedOfport);
            if (ofport.isEmpty()) {
                LOG.warn("pod port {} of {} has no OpenFlow port; its pod gets no flows until it is re-added", port.name(),
                        describe(record.get().attachment()));
                continue;
            }
            try {
                netlink.isolateFromNodeStack(port.name()); // also for ports made by an older agent
            } catch (RuntimeException e) {
                LOG.warn("pod port {}: cannot set its sysctls: {}", port.name(), e.getMessage());
            }
            found.put(port.name(), new AttachedPod(record.get(), ofport.get().intValue()));
        }
        synchronized (flowLock) {
            // At agent start the overlay (remote nodes) is not known yet: its flows stay until the Node sync.
            Await.result(installer.installKeepingOverlay(node, found.values().stream().map(AttachedPod::localPod).toList()),
                    timeout, "install the pipeline");
            pods.clear();
            pods.putAll(found);
        }
        LOG.info("pipeline installed on {} with {} recovered pods", settings.integrationBridge(), found.size());
    }

    /**
     * The OpenFlow connection came back: ovs-vswitchd restarted (its flows and the gateway's address
     * are gone, the internal port was recreated) or the connection dropped. Bring the node up again
     * and reinstall everything; the install is a full replacement, so an unneeded resync is harmless.
     */
    private void connectionChanged(ConnectionState state) {
        if (state != ConnectionState.CONNECTED) {
            return;
        }
        try {
            resyncs.execute(this::resync);
        } catch (RejectedExecutionException e) {
            LOG.debug("driver closed, no resync");
        }
    }

    /** Node setup again, then {@link #recover()}: what follows a restart of ovs-vswitchd. */
    public void resync() {
        try {
            node = nodeSetup.bringUp(podCidr);
            recover();
            OvsNodeRouteDriver routes = overlay;
            if (routes != null) {
                routes.reapplyHostState();
            }
            OvsServiceProxy proxy = services;
            if (proxy != null) {
                proxy.reapplyHostState(); // the recreated gateway lost the Service routes and neighbours
            }
        } catch (RuntimeException e) {
            LOG.error("resync of bridge {} after reconnecting failed: {}", settings.integrationBridge(), e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        // Leaves bridge, ports and flows in place: pods keep forwarding while the agent is away.
        closed = true;
        resyncs.shutdownNow();
        OvsServiceProxy proxy = services;
        if (proxy != null) {
            proxy.closeHostUpdates();
        }
        closeQuietly(openflow);
        closeQuietly(ovsdb);
        closeQuietly(transport);
        closeQuietly(netlink);
    }

    // ------------------------------------------------------------------ helpers

    private static OpenFlowClient connectOpenFlow(NettyTransport transport, OvsSettings settings, Duration timeout) {
        Path socket = settings.managementSocket(settings.integrationBridge());
        long deadline = System.nanoTime() + timeout.toNanos();
        // ovs-vswitchd opens the socket once it has seen the new bridge.
        while (!Files.exists(socket)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("OpenFlow socket " + socket + " did not appear within " + timeout.toMillis()
                        + " ms (is ovs-vswitchd running with run directory " + settings.runDir() + "?)");
            }
            sleep(20);
        }
        OpenFlowClient client = new OpenFlowClient(transport, new Endpoint.Unix(socket), OpenFlowClientConfig.DEFAULT);
        try {
            Await.result(client.connect(), timeout, "connect to " + socket);
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private static Inet4Address singleIpv4(List<IpAddress> addresses) {
        List<Inet4Address> v4 = addresses.stream().map(IpAddress::address).filter(Inet4Address.class::isInstance)
                .map(Inet4Address.class::cast).toList();
        if (v4.size() != 1 || addresses.size() != 1) {
            throw new IllegalArgumentException("the ovs backend supports exactly one IPv4 address per pod for now, got "
                    + addresses.stream().map(IpAddress::cidr).toList());
        }
        return v4.get(0);
    }

    private static io.trellis.netlink.route.Route toNetlink(Route route, int index) {
        var destination = new io.trellis.netlink.route.IpPrefix(route.destination().network(),
                route.destination().prefixLength());
        return route.gateway().map(gw -> io.trellis.netlink.route.Route.via(destination, gw, index))
                .orElseGet(() -> io.trellis.netlink.route.Route.onLink(destination, index));
    }

    private void deleteLinkIfPresent(String name) {
        try {
            netlink.node().links().delete(name);
        } catch (NetlinkException e) {
            if (!e.is(Errno.ENODEV)) {
                throw e;
            }
        }
    }

    private static Optional<PodPortRecord> safeRecord(String port, Map<String, String> externalIds) {
        try {
            return PodPortRecord.fromExternalIds(port, externalIds);
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring port {}: {}", port, e.getMessage());
            return Optional.empty();
        }
    }

    static String describe(PodAttachment attachment) {
        return attachment.pod() + " " + attachment.ifName() + " (container " + attachment.containerId() + ")";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed: {}", closeable.getClass().getSimpleName(), e.getMessage());
        }
    }

    /** Runs one step of an operation on an attachment, turning any failure into a PodInterfaceException naming both. */
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
